import { Card, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { ArchivedLookup } from '@/features/archives/components/archived-lookup';
import { ArchivesTable } from '@/features/archives/components/archives-table';
import { usePageTitle } from '../use-page-title';

/** Archives to browse, and a student's score in one. */
export default function AdminArchivesRoute() {
  const { t } = useTranslation();
  usePageTitle('nav.archives');
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Card size="small" title={t('archives.title')}>
        <ArchivesTable />
      </Card>
      <Card size="small" title={t('archives.lookup')}>
        <ArchivedLookup />
      </Card>
    </Space>
  );
}
