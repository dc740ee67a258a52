import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ApplicationStatus } from '@/lib/api/types';

const COLORS: Record<ApplicationStatus, string> = { pending: 'gold', approved: 'green', rejected: 'red' };

/** An application's status as a coloured tag. */
export function StatusTag({ status }: { status: ApplicationStatus }) {
  const { t } = useTranslation();
  return <Tag color={COLORS[status]}>{t(`status.${status}`)}</Tag>;
}
