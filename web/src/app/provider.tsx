import { QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { type ReactNode, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createQueryClient } from '@/lib/query-client';

/** Query client, antd in the current language (zh_CN / en_US), antd's App context for messages. */
export function AppProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  const { i18n } = useTranslation();
  const zh = i18n.language === 'zh-CN';
  useEffect(() => {
    dayjs.locale(zh ? 'zh-cn' : 'en');
  }, [zh]);
  return (
    <QueryClientProvider client={queryClient}>
      <ConfigProvider locale={zh ? zhCN : enUS} theme={THEME} button={{ autoInsertSpace: false }}>
        <AntApp message={{ maxCount: 2, top: MESSAGE_TOP }}>{children}</AntApp>
      </ConfigProvider>
    </QueryClientProvider>
  );
}

/**
 * Where confirmations and errors appear: below the sticky header (antd's Layout.Header is 64 px
 * high), not over its menu, which on a phone is the only way between pages.
 */
const MESSAGE_TOP = 72;

/** Colours chosen for WCAG AA contrast (antd's defaults for secondary text and primary are lighter). */
const THEME = {
  token: {
    colorPrimary: '#0958d9',
    // Hovered and pressed buttons stay as dark (antd derives lighter ones, under 4.5:1 on white text).
    colorPrimaryHover: '#003eb3',
    colorPrimaryActive: '#002c8c',
    colorLink: '#0958d9',
    colorTextSecondary: 'rgba(0, 0, 0, 0.68)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)',
    borderRadius: 8,
  },
};
