import { Grid, List, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Page, ScoreRecord } from '@/lib/api/types';
import { useReasonText } from '@/features/reasons/api/reasons';
import { formatDelta, formatTime } from '@/utils/format';

/** A student's records: change, reason, who, when, source; paged by the API. A list on a phone. */
export function RecordsTable({ page, loading, onPage }: { page: Page<ScoreRecord> | undefined; loading: boolean; onPage: (page: number) => void }) {
  const { t, i18n } = useTranslation();
  const screens = Grid.useBreakpoint();
  const reasonOf = useReasonText();
  const who = (r: ScoreRecord) => `${r.actor.username} (${t(`roles.${r.actor.role}`)})`;
  const source = (r: ScoreRecord) => t(`source.${r.source}`, { defaultValue: r.source });
  const delta = (d: number) => <Tag color={d > 0 ? 'green' : 'red'}>{formatDelta(d)}</Tag>;
  const pagination = { current: page?.page ?? 1, pageSize: page?.pageSize ?? 20, total: page?.total ?? 0, onChange: onPage, showSizeChanger: false, hideOnSinglePage: true };
  if (!screens.sm) {
    return (
      <List<ScoreRecord>
        loading={loading}
        dataSource={page?.items ?? []}
        pagination={pagination}
        renderItem={(r) => (
          <List.Item extra={<Typography.Text strong>{r.newScore}</Typography.Text>}>
            <List.Item.Meta
              title={
                <>
                  {delta(r.delta)} {reasonOf(r)}
                </>
              }
              description={`${who(r)} · ${formatTime(r.at, i18n.language)} · ${source(r)}`}
            />
          </List.Item>
        )}
      />
    );
  }
  return (
    <Table<ScoreRecord>
      rowKey="position"
      size="small"
      loading={loading}
      dataSource={page?.items ?? []}
      pagination={pagination}
      columns={[
        { title: t('fields.delta'), dataIndex: 'delta', width: 80, render: delta },
        { title: t('fields.reason'), key: 'reason', render: (_, r) => reasonOf(r) },
        { title: t('fields.who'), key: 'who', render: (_, r) => who(r) },
        { title: t('fields.when'), dataIndex: 'at', render: (at: string) => formatTime(at, i18n.language) },
        { title: t('fields.source'), key: 'source', render: (_, r) => source(r) },
        { title: t('fields.score'), dataIndex: 'newScore', width: 72 },
      ]}
    />
  );
}
