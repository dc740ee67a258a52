import { Card } from 'antd';
import { useTranslation } from 'react-i18next';
import { CsvExports } from '@/features/exports/components/csv-exports';
import { usePageTitle } from '../use-page-title';

/** CSV exports. */
export default function AdminExportsRoute() {
  const { t } = useTranslation();
  usePageTitle('nav.exports');
  return (
    <Card size="small" title={t('exports.title')}>
      <CsvExports />
    </Card>
  );
}
