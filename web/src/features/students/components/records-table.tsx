import { Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Page, ScoreRecord } from '@/lib/api/types';
import { formatDelta, formatTime } from '@/utils/format';

/** A student's records: change, reason, who, when, source; paged by the API. */
export function RecordsTable({ page, loading, onPage }: { page: Page<ScoreRecord> | undefined; loading: boolean; onPage: (page: number) => void }) {
  const { t, i18n } = useTranslation();
  return (
    <Table<ScoreRecord>
      rowKey="position"
      size="small"
      loading={loading}
      dataSource={page?.items ?? []}
      scroll={{ x: 560 }}
      pagination={{ current: page?.page ?? 1, pageSize: page?.pageSize ?? 20, total: page?.total ?? 0, onChange: onPage, showSizeChanger: false }}
      columns={[
        {
          title: t('fields.delta'),
          dataIndex: 'delta',
          width: 80,
          render: (d: number) => <Tag color={d > 0 ? 'green' : 'red'}>{formatDelta(d)}</Tag>,
        },
        { title: t('fields.reason'), dataIndex: 'reason' },
        { title: t('fields.who'), key: 'who', render: (_, r) => `${r.actor.username} (${t(`roles.${r.actor.role}`)})` },
        { title: t('fields.when'), dataIndex: 'at', render: (at: string) => formatTime(at, i18n.language) },
        { title: t('fields.source'), dataIndex: 'source', render: (s: string) => t(`source.${s}`, { defaultValue: s }) },
        { title: t('fields.score'), dataIndex: 'newScore', width: 72 },
      ]}
    />
  );
}
