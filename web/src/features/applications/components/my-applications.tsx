import { List, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryState } from '@/components/query-state';
import { useReasonText } from '@/features/reasons/api/reasons';
import { formatDelta, formatTime } from '@/utils/format';
import { useApplications } from '../api/applications';
import { StatusTag } from './status-tag';

/** The teacher's (or club's) own applications; statuses change live through the stream. */
export function MyApplications({ studentName }: { studentName: (id: string) => string }) {
  const { t, i18n } = useTranslation();
  const [page, setPage] = useState(1);
  const apps = useApplications(undefined, page, 20);
  const reasonOf = useReasonText();
  return (
    <QueryState isLoading={apps.isLoading} error={apps.error} onRetry={() => void apps.refetch()}>
      <List
        aria-label={t('teacher.myApplications')}
        dataSource={apps.data?.items ?? []}
        pagination={{ current: page, pageSize: 20, total: apps.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
        renderItem={(a) => (
          <List.Item data-testid={`application-${a.applicationId}`}>
            <List.Item.Meta
              title={
                <Space wrap>
                  <span>{studentName(a.studentId)}</span>
                  <Tag color={a.delta > 0 ? 'green' : 'red'}>{formatDelta(a.delta)}</Tag>
                  <StatusTag status={a.status} />
                </Space>
              }
              description={
                <>
                  <div>{reasonOf(a)}</div>
                  <Typography.Text type="secondary">{formatTime(a.submittedAt, i18n.language)}</Typography.Text>
                  {a.status !== 'pending' && a.comment && <div>{t('teacher.reviewedComment', { reviewer: a.reviewer ?? '', comment: a.comment })}</div>}
                </>
              }
            />
          </List.Item>
        )}
      />
    </QueryState>
  );
}
