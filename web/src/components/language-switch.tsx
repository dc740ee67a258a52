import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Language } from '../lib/i18n';

const OPTIONS: { value: Language; label: string }[] = [
  { value: 'zh-CN', label: '中文' },
  { value: 'en', label: 'English' },
];

/** Switches the language; i18next keeps the choice in localStorage. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <Select
      aria-label={t('app.language')}
      size="small"
      value={i18n.language === 'zh-CN' ? 'zh-CN' : 'en'}
      options={OPTIONS}
      onChange={(lng) => void i18n.changeLanguage(lng)}
      style={{ width: 96 }}
    />
  );
}
