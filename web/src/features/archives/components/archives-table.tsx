import { Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryState } from '@/components/query-state';
import type { Archive } from '@/lib/api/types';
import { formatTime } from '@/utils/format';
import { useArchives } from '../api/archives';

/** Completed semester archives. */
export function ArchivesTable() {
  const { t, i18n } = useTranslation();
  const [page, setPage] = useState(1);
  const archives = useArchives(page);
  return (
    <QueryState isLoading={archives.isLoading} error={archives.error} onRetry={() => void archives.refetch()}>
      <Table<Archive>
        rowKey="archiveId"
        size="small"
        dataSource={archives.data?.items ?? []}
        pagination={{ current: page, pageSize: 50, total: archives.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
        columns={[
          { title: t('archives.semester'), dataIndex: 'semester' },
          { title: t('archives.className'), dataIndex: 'className', render: (c: string | null) => c ?? t('archives.everyClass') },
          { title: t('archives.studentCount'), dataIndex: 'studentCount' },
          { title: t('archives.completedAt'), dataIndex: 'completedAt', render: (at: string) => formatTime(at, i18n.language) },
        ]}
      />
    </QueryState>
  );
}
