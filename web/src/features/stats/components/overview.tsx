import { Button, Card, Col, List, Row, Statistic, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { QueryState } from '@/components/query-state';
import { useOverview } from '../api/stats';

/** The admin start page: pending reviews, today's changes, each class's average, students near the bounds. */
export function OverviewPanel({ onOpenReviews, onClass }: { onOpenReviews: () => void; onClass: (className: string) => void }) {
  const { t } = useTranslation();
  const overview = useOverview();
  const o = overview.data;
  return (
    <QueryState isLoading={overview.isLoading} error={overview.error} onRetry={() => void overview.refetch()}>
      {o && (
        <Row gutter={[16, 16]}>
          {/* The two figures side by side on a phone: equally tall, whichever has the link. */}
          <Col xs={12} md={6}>
            <Card style={{ height: '100%' }}>
              <Statistic title={t('admin.pendingReviews')} value={o.pendingReviews} />
              {/* A half-width card on a phone: the link wraps inside it instead of running past its edge. */}
              <Button type="link" style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'start' }} onClick={onOpenReviews}>
                {t('admin.openReviews')}
              </Button>
            </Card>
          </Col>
          <Col xs={12} md={6}>
            <Card style={{ height: '100%' }}>
              <Statistic title={t('admin.todayChanges')} value={o.todayChanges ?? t('app.none')} />
            </Card>
          </Col>
          <Col xs={24} md={12}>
            <Card size="small" title={t('admin.classAverages')}>
              <Table
                rowKey="className"
                size="small"
                pagination={false}
                dataSource={o.classes}
                onRow={(c) => ({ onClick: () => onClass(c.className), style: { cursor: 'pointer' } })}
                columns={[
                  { title: t('fields.className'), dataIndex: 'className' },
                  { title: t('admin.students'), dataIndex: 'students' },
                  { title: t('admin.average'), dataIndex: 'averageScore', render: (v: number) => (Number.isFinite(v) ? v.toFixed(1) : t('app.none')) },
                ]}
              />
            </Card>
          </Col>
          <Col xs={24}>
            <Card size="small" title={t('admin.nearBounds')}>
              <List
                dataSource={o.nearBounds}
                locale={{ emptyText: t('app.none') }}
                renderItem={(s) => (
                  <List.Item>
                    {s.name} ({s.studentId}, {s.className}) <Tag color={s.score >= (o.scoreRange.min + o.scoreRange.max) / 2 ? 'green' : 'red'}>{s.score}</Tag>
                  </List.Item>
                )}
              />
            </Card>
          </Col>
        </Row>
      )}
    </QueryState>
  );
}
