import { App, Button, Empty, Input, Space, Table, type TableColumnsType, Tag } from 'antd';
import { type ReactNode, useMemo, useRef, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { QueryState } from '@/components/query-state';
import type { Application } from '@/lib/api/types';
import { useReasonText } from '@/features/reasons/api/reasons';
import { formatDelta, formatTime } from '@/utils/format';
import { usePendingQueue, useReview } from '../api/applications';

/** Rows a page of the queue shows at first: about a screenful, so that the queue opens fast (more on request). */
export const REVIEW_PAGE_ROWS = 20;

/** The admin's queue of pending applications: approve or reject one or many, with a comment. */
export function ReviewQueue({ studentName }: { studentName: (id: string) => string }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const pending = usePendingQueue();
  const review = useReview();
  const [selected, setSelected] = useState<string[]>([]);
  const [comment, setComment] = useState('');
  const items = pending.data?.items ?? [];
  const live = selected.filter((id) => items.some((a) => a.applicationId === id));
  const decideRef = useRef(decide);
  decideRef.current = decide;
  // The columns (and so the rows) stay the same while the comment is typed or a selection made.
  const reasonOf = useReasonText();
  const columns = useMemo(
    () => reviewColumns(t, i18n.language, studentName, reasonOf, (ids, d) => decideRef.current(ids, d)),
    [t, i18n.language, studentName, reasonOf],
  );
  function decide(ids: string[], decision: 'approve' | 'reject') {
    review.mutate(
      { ids, decision, comment: comment.trim() || (decision === 'approve' ? t('reviews.defaultApprove') : t('reviews.reject')) },
      {
        onSuccess: (r) => {
          if (r.reviewed > 0) message.success(t('reviews.reviewed', { count: r.reviewed }));
          if (r.failed > 0) message.error(r.firstError?.message ?? '');
          setSelected((s) => s.filter((id) => !ids.includes(id)));
        },
      },
    );
  }
  return (
    <QueryState isLoading={pending.isLoading} error={pending.error} onRetry={() => void pending.refetch()}>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Space wrap>
          <Input aria-label={t('reviews.comment')} placeholder={t('reviews.commentPlaceholder')} value={comment} onChange={(e) => setComment(e.target.value)} style={{ width: 260 }} maxLength={500} />
          <Button type="primary" disabled={live.length === 0} loading={review.isPending} onClick={() => decide(live, 'approve')}>
            {t('reviews.approveSelected', { count: live.length })}
          </Button>
          <Button danger disabled={live.length === 0} loading={review.isPending} onClick={() => decide(live, 'reject')}>
            {t('reviews.rejectSelected', { count: live.length })}
          </Button>
          <Tag>{t('app.total', { count: pending.data?.total ?? 0 })}</Tag>
        </Space>
        <Table<Application>
          rowKey="applicationId"
          size="small"
          dataSource={items}
          locale={{ emptyText: <Empty description={t('reviews.empty')} /> }}
          // As wide as the card, its cells wrapping; a row too wide even so (a long word) scrolls inside the card, the buttons pinned at its right, instead of running past the card's edge.
          scroll={{ x: true }}
          tableLayout="auto"
          pagination={{ defaultPageSize: REVIEW_PAGE_ROWS, hideOnSinglePage: true, showSizeChanger: true, pageSizeOptions: [REVIEW_PAGE_ROWS, 50, 100] }}
          rowSelection={{
            selectedRowKeys: live,
            onChange: (keys) => setSelected(keys.map(String)),
            getCheckboxProps: (a) => ({ 'aria-label': t('reviews.selectRow', { id: a.applicationId }) }),
          }}
          columns={columns}
        />
      </Space>
    </QueryState>
  );
}

type Decide = (ids: string[], decision: 'approve' | 'reject') => void;

/** The queue's columns: student, change, reason, submitter, time, and approve / reject buttons. */
function reviewColumns(
  t: TFunction,
  language: string,
  studentName: (id: string) => string,
  reasonOf: (a: Application) => string,
  decide: Decide,
): TableColumnsType<Application> {
  return [
    { title: t('fields.student'), dataIndex: 'studentId', render: (id: string) => withIdWhole(studentName(id), id) },
    { title: t('fields.delta'), dataIndex: 'delta', width: 80, render: (d: number) => <Tag color={d > 0 ? 'green' : 'red'}>{formatDelta(d)}</Tag> },
    { title: t('fields.reason'), key: 'reason', render: (_, a) => reasonOf(a) },
    { title: t('fields.submittedBy'), dataIndex: 'submittedBy', responsive: ['md'] },
    { title: t('fields.when'), dataIndex: 'submittedAt', responsive: ['lg'], render: (at: string | null) => formatTime(at, language) },
    {
      title: t('app.actions'),
      key: 'actions',
      fixed: 'right',
      // Side by side where they fit; on a phone stacked, equally wide (styles.css).
      render: (_, a) => (
        <div className="row-actions">
          <Button size="small" type="primary" aria-label={`${t('reviews.approve')} ${a.applicationId}`} onClick={() => decide([a.applicationId], 'approve')}>
            {t('reviews.approve')}
          </Button>
          <Button size="small" danger aria-label={`${t('reviews.reject')} ${a.applicationId}`} onClick={() => decide([a.applicationId], 'reject')}>
            {t('reviews.reject')}
          </Button>
        </div>
      ),
    },
  ];
}

/** "Name (id)" with the id on one line: a narrow column wraps between the name and "(s-81)", not inside it. */
function withIdWhole(label: string, id: string): ReactNode {
  const suffix = `(${id})`;
  if (!label.endsWith(suffix)) return label;
  return (
    <>
      {label.slice(0, -suffix.length)}
      <span className="nowrap">{suffix}</span>
    </>
  );
}
