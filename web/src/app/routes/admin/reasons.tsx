import { Card } from 'antd';
import { useTranslation } from 'react-i18next';
import { ReasonsAdmin } from '@/features/reasons/components/reasons-admin';
import { usePageTitle } from '../use-page-title';

/** The reason catalogue. */
export default function AdminReasonsRoute() {
  const { t } = useTranslation();
  usePageTitle('nav.reasons');
  return (
    <Card size="small" title={t('reasons.title')}>
      <ReasonsAdmin />
    </Card>
  );
}
