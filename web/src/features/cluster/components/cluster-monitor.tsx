import { Alert, Card, Col, Descriptions, List, Row, Table, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Chart } from '@/components/chart';
import { QueryState } from '@/components/query-state';
import type { ClusterMember, ClusterStatus } from '@/lib/api/types';
import { useClusterStatus } from '../api/cluster';
import { leaderChanges, ratesOf, successShare, useClusterHistory } from '../hooks/cluster-history';

/** The cluster as the nodes report it: roles, leader, ballot, slots, lag, peers, projections, rates. */
export function ClusterMonitor() {
  const { t } = useTranslation();
  const status = useClusterStatus();
  const samples = useClusterHistory(status.data, status.dataUpdatedAt);
  const s = status.data;
  return (
    <QueryState isLoading={status.isLoading} error={status.error} onRetry={() => void status.refetch()}>
      {s && (
        <Row gutter={[16, 16]}>
          <Col xs={24}>
            <LeaderSummary status={s} />
          </Col>
          <Col xs={24} lg={12}>
            <NodeCard status={s} />
          </Col>
          <Col xs={24} lg={12}>
            <MembersCard status={s} />
          </Col>
          <Col xs={24} lg={12}>
            <RatesCard samples={samples} />
          </Col>
          <Col xs={24} lg={12}>
            <LeadersCard samples={samples} members={nodeIdsOf(s)} />
          </Col>
          <Col xs={24} lg={12}>
            <Card size="small" title={t('monitor.projections')}>
              <Table
                rowKey="name"
                size="small"
                pagination={false}
                dataSource={s.projections}
                columns={[
                  { title: t('monitor.projections'), dataIndex: 'name' },
                  { title: t('monitor.position'), dataIndex: 'position' },
                  { title: t('monitor.lag'), dataIndex: 'lag', render: (lag: number) => <Tag color={lag === 0 ? 'green' : 'orange'}>{lag}</Tag> },
                ]}
              />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card size="small" title={t('monitor.sagasNeedingOperator')}>
              <List
                dataSource={s.sagas?.needingOperator ?? []}
                locale={{ emptyText: t('monitor.noSagas') }}
                renderItem={(saga) => (
                  <List.Item>
                    <Typography.Text code>{saga.sagaId}</Typography.Text> {saga.step}: {saga.reason}
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

/** Every node id the status names (itself, its members), sorted. */
function nodeIdsOf(s: ClusterStatus): string[] {
  return [...new Set([s.nodeId, ...s.members.map((m) => m.nodeId), ...(s.leaderId ? [s.leaderId] : [])])].sort();
}

function LeaderSummary({ status }: { status: ClusterStatus }) {
  const { t } = useTranslation();
  if (status.leaderId === null) return <Alert role="status" type="error" showIcon title={t('monitor.noLeader')} />;
  return <Alert role="status" type="success" showIcon title={`${t('monitor.leader')}: ${status.leaderId}`} description={t('monitor.reportedBy', { node: status.nodeId })} />;
}

function NodeCard({ status: s }: { status: ClusterStatus }) {
  const { t } = useTranslation();
  return (
    <Card size="small" title={`${t('monitor.node')} ${s.nodeId}`}>
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 2 }}
        items={[
          { key: 'role', label: t('monitor.role'), children: <Tag color={s.role === 'leader' ? 'gold' : 'blue'}>{s.role}</Tag> },
          { key: 'leader', label: t('monitor.leader'), children: s.leaderId ?? t('monitor.noLeader') },
          { key: 'ballot', label: t('monitor.ballot'), children: s.ballot },
          { key: 'chosen', label: t('monitor.chosen'), children: s.chosenSlot },
          { key: 'applied', label: t('monitor.applied'), children: s.appliedSlot },
          { key: 'lag', label: t('monitor.lag'), children: Math.max(0, s.chosenSlot - s.appliedSlot) },
        ]}
      />
    </Card>
  );
}

function MembersCard({ status: s }: { status: ClusterStatus }) {
  const { t } = useTranslation();
  return (
    <Card size="small" title={t('monitor.reportedBy', { node: s.nodeId })}>
      <Table<ClusterMember>
        rowKey="nodeId"
        size="small"
        pagination={false}
        dataSource={[{ nodeId: s.nodeId, reachable: true, lastSeenMs: null, appliedSlot: s.appliedSlot } as ClusterMember, ...s.members.filter((m) => m.nodeId !== s.nodeId)]}
        columns={[
          { title: t('monitor.node'), dataIndex: 'nodeId', render: (id: string) => (id === s.leaderId ? <strong>{id} ★</strong> : id) },
          {
            title: t('monitor.role'),
            key: 'role',
            render: (_, m) => `${m.nodeId === s.nodeId ? s.role : m.nodeId === s.leaderId ? 'leader' : 'follower'}${m.role ? ` · ${m.role}` : ''}`,
          },
          {
            title: t('monitor.reachable'),
            dataIndex: 'reachable',
            render: (ok: boolean, m) => (
              <Tag color={ok ? 'green' : 'red'}>{ok ? (m.lastSeenMs === null ? '✓' : t('monitor.seenAgo', { ms: m.lastSeenMs })) : t('monitor.unreachable')}</Tag>
            ),
          },
          { title: t('monitor.applied'), dataIndex: 'appliedSlot' },
          { title: t('monitor.lag'), key: 'lag', render: (_, m) => Math.max(0, s.chosenSlot - m.appliedSlot) },
        ]}
      />
    </Card>
  );
}

function RatesCard({ samples }: { samples: ReturnType<typeof useClusterHistory> }) {
  const { t } = useTranslation();
  const rates = useMemo(() => ratesOf(samples), [samples]);
  const share = successShare(samples);
  const option = useMemo(
    () => ({
      grid: { left: 40, right: 16, top: 32, bottom: 32 },
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      xAxis: { type: 'time', min: 'dataMin', max: 'dataMax' },
      yAxis: { type: 'value' },
      series: [
        { type: 'line', name: t('monitor.chosenPerSec'), showSymbol: false, data: rates.map((r) => [r.at, Number(r.chosenPerSec.toFixed(2))]), itemStyle: { color: '#389e0d' } },
        { type: 'line', name: t('monitor.failedPerSec'), showSymbol: false, data: rates.map((r) => [r.at, Number(r.failedPerSec.toFixed(2))]), itemStyle: { color: '#cf1322' } },
      ],
    }),
    [rates, t],
  );
  return (
    <Card size="small" title={t('monitor.proposals')} extra={share && <span>{t('monitor.successRate', share)}</span>}>
      <Chart option={option} label={t('monitor.proposals')} height={220} />
    </Card>
  );
}

function LeadersCard({ samples, members }: { samples: ReturnType<typeof useClusterHistory>; members: string[] }) {
  const { t } = useTranslation();
  const changes = leaderChanges(samples);
  const none = t('monitor.noLeader');
  const option = useMemo(
    () => ({
      grid: { left: 72, right: 16, top: 16, bottom: 32 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'time', min: 'dataMin', max: 'dataMax' },
      yAxis: { type: 'category', data: [none, ...new Set([...members, ...samples.flatMap((x) => (x.leaderId ? [x.leaderId] : []))])] },
      series: [{ type: 'line', step: 'end', name: t('monitor.leader'), data: samples.map((s) => [s.at, s.leaderId ?? none]), itemStyle: { color: '#d48806' } }],
    }),
    [samples, members, none, t],
  );
  return (
    <Card size="small" title={t('monitor.leaderChanges')}>
      <Chart option={option} label={`${t('monitor.leaderChanges')}: ${changes.map((c) => c.leaderId ?? none).join(' → ')}`} height={220} />
    </Card>
  );
}
