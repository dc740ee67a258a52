import { Alert, Card, Col, Descriptions, List, Row, Space, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Chart } from '@/components/chart';
import { QueryState } from '@/components/query-state';
import type { ClusterNode, ClusterStatus } from '@/lib/api/types';
import { useClusterNodes } from '../api/cluster';
import { leaderChanges, ratesOf, successShare, useClusterHistory } from '../hooks/cluster-history';
import { type ClusterAgreement, agreementOf, sagasNeedingOperator } from '../hooks/cluster-nodes';

const DIFFERS = '#fa8c16';
/** Dark enough for text on white (WCAG AA), as well as for the border of a silent node's card. */
const SILENT = '#cf1322';

/** The cluster as each node reports it: one card per node, disagreements and silent nodes marked, rates and leader history. */
export function ClusterMonitor() {
  const nodes = useClusterNodes();
  return (
    <QueryState isLoading={nodes.isLoading} error={nodes.error} onRetry={() => void nodes.refetch()}>
      {nodes.data && <ClusterNodesView nodes={nodes.data.nodes} updatedAt={nodes.dataUpdatedAt} />}
    </QueryState>
  );
}

/** The monitor's content for one reading of every node. */
export function ClusterNodesView({ nodes, updatedAt }: { nodes: ClusterNode[]; updatedAt: number }) {
  const { t } = useTranslation();
  const agreement = useMemo(() => agreementOf(nodes), [nodes]);
  const samples = useClusterHistory(agreement.reference, updatedAt);
  const sagas = sagasNeedingOperator(agreement.answered);
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24}>
        <Summary agreement={agreement} total={nodes.length} />
      </Col>
      {nodes.map((n) => (
        <Col key={n.nodeId} xs={24} md={12} xl={8}>
          <NodeCard node={n} agreement={agreement} />
        </Col>
      ))}
      <Col xs={24} lg={12}>
        <RatesCard samples={samples} />
      </Col>
      <Col xs={24} lg={12}>
        <LeadersCard samples={samples} members={nodes.map((n) => n.nodeId)} />
      </Col>
      <Col xs={24}>
        <Card size="small" title={t('monitor.sagasNeedingOperator')}>
          <List
            dataSource={sagas}
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
  );
}

function Summary({ agreement: a, total }: { agreement: ClusterAgreement; total: number }) {
  const { t } = useTranslation();
  const none = t('monitor.noLeader');
  const answered = t('monitor.answered', { count: a.answered.length, total });
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {a.leadersDisagree ? (
        <Alert
          role="alert"
          type="warning"
          showIcon
          title={t('monitor.disagree', { leaders: a.leaderViews.map(([leader, ids]) => `${ids.join(', ')} → ${leader ?? none}`).join('; ') })}
          description={answered}
        />
      ) : a.leaderId === null ? (
        <Alert role="status" type="error" showIcon title={none} description={answered} />
      ) : (
        <Alert role="status" type="success" showIcon title={`${t('monitor.leader')}: ${a.leaderId}`} description={answered} />
      )}
      {a.ballotsDisagree && (
        <Alert role="alert" type="warning" showIcon title={t('monitor.ballotsDisagree', { ballots: a.answered.map((s) => `${s.nodeId} ${s.ballot}`).join(', ') })} />
      )}
      {a.unreachable.length > 0 && <Alert role="alert" type="error" showIcon title={t('monitor.unreachableNodes', { nodes: a.unreachable.join(', ') })} />}
      <SchoolTimeZone answered={a.answered} />
    </Space>
  );
}

/** The school time zone the nodes count days in (one setting for all; a warning when they differ). */
function SchoolTimeZone({ answered }: { answered: readonly ClusterStatus[] }) {
  const { t } = useTranslation();
  const zones = [...new Set(answered.flatMap((s) => (s.schoolTimeZone ? [s.schoolTimeZone] : [])))];
  if (zones.length === 0) return null;
  if (zones.length > 1) {
    const views = answered.flatMap((s) => (s.schoolTimeZone ? [`${s.nodeId} ${s.schoolTimeZone}`] : []));
    return <Alert role="alert" type="warning" showIcon title={t('monitor.timeZonesDisagree', { zones: views.join(', ') })} />;
  }
  return (
    <Typography.Text>
      {t('monitor.schoolTimeZone')}: <Typography.Text strong>{zones[0]}</Typography.Text>
    </Typography.Text>
  );
}

function NodeCard({ node, agreement }: { node: ClusterNode; agreement: ClusterAgreement }) {
  const { t } = useTranslation();
  const s = node.status;
  const silent = !node.reachable || s === undefined;
  const differs = agreement.differing.includes(node.nodeId);
  const label = `${t('monitor.node')} ${node.nodeId}`;
  return (
    <Card
      size="small"
      role="region"
      aria-label={label}
      title={label}
      style={silent ? { borderColor: SILENT } : differs ? { borderColor: DIFFERS } : undefined}
      extra={
        silent ? (
          <Tag color="red">{t('monitor.unreachableNode')}</Tag>
        ) : (
          <Space size={4} wrap>
            <Tag color={s.role === 'leader' ? 'gold' : 'blue'}>{t(`monitor.roleNames.${s.role}`, { defaultValue: s.role })}</Tag>
            <MemberRoleTag status={s} />
            {s.voting === false && <Tag color="red">{t('monitor.notVoting', { reason: s.notVotingReason ?? '' })}</Tag>}
            {differs && <Tag color="orange">{t('monitor.differs')}</Tag>}
          </Space>
        )
      }
    >
      {silent ? <Typography.Text style={{ color: SILENT }}>{t('monitor.noAnswer', { error: node.error ?? '' })}</Typography.Text> : <NodeView status={s} agreement={agreement} />}
    </Card>
  );
}

/** The configuration a node reports (`configuration` of its status): who votes and who learns. */
interface ReportedConfiguration {
  readonly version: number;
  readonly voters: readonly string[];
  readonly learners: readonly string[];
}

function configurationOf(s: ClusterStatus): ReportedConfiguration | null {
  const c = s.configuration as Partial<ReportedConfiguration> | undefined;
  if (c === undefined || typeof c.version !== 'number' || !Array.isArray(c.voters) || !Array.isArray(c.learners)) return null;
  return { version: c.version, voters: c.voters, learners: c.learners };
}

/** Voter or learner, as the node's own configuration has it (nothing when it does not say). */
function MemberRoleTag({ status: s }: { status: ClusterStatus }) {
  const { t } = useTranslation();
  const role = s.members.find((m) => m.nodeId === s.nodeId)?.role;
  if (role === undefined) return null;
  return <Tag color={role === 'voter' ? 'geekblue' : role === 'learner' ? 'purple' : 'red'}>{t(`monitor.memberRoles.${role}`)}</Tag>;
}

function NodeView({ status: s, agreement }: { status: ClusterStatus; agreement: ClusterAgreement }) {
  const { t } = useTranslation();
  const marked = (value: string, differs: boolean) => (differs ? <Tag color="orange">{value}</Tag> : value);
  const configuration = configurationOf(s);
  // Only the leader hears every member's progress: a follower's caught-up flags say nothing.
  const behind = (m: ClusterStatus['members'][number]) => s.role === 'leader' && m.caughtUp === false;
  return (
    <Descriptions
      size="small"
      column={1}
      items={[
        ...(s.httpUrl ? [{ key: 'address', label: t('monitor.address'), children: <Typography.Text copyable>{s.httpUrl}</Typography.Text> }] : []),
        { key: 'leader', label: t('monitor.follows'), children: marked(s.leaderId ?? t('monitor.noLeader'), s.leaderId !== agreement.leaderId) },
        { key: 'ballot', label: t('monitor.ballot'), children: marked(s.ballot, s.ballot !== agreement.ballot) },
        { key: 'chosen', label: t('monitor.chosen'), children: s.chosenSlot },
        { key: 'applied', label: t('monitor.applied'), children: s.appliedSlot },
        { key: 'lag', label: t('monitor.lag'), children: Math.max(0, s.chosenSlot - s.appliedSlot) },
        ...(configuration === null
          ? []
          : [
              {
                key: 'configuration',
                label: t('monitor.configuration'),
                children: t('monitor.configurationOf', {
                  version: configuration.version,
                  voters: configuration.voters.join(', '),
                  learners: configuration.learners.length > 0 ? configuration.learners.join(', ') : t('monitor.noLearners'),
                }),
              },
            ]),
        {
          key: 'peers',
          label: t('monitor.reachable'),
          children: (
            <Space size={4} wrap>
              {s.members
                .filter((m) => m.nodeId !== s.nodeId)
                .map((m) => (
                  <Tag key={m.nodeId} color={m.reachable ? (behind(m) ? 'orange' : 'green') : 'red'}>
                    {m.nodeId}
                    {m.role === 'learner' ? ` (${t('monitor.memberRoles.learner')})` : ''}{' '}
                    {m.reachable ? (m.lastSeenMs === null ? '✓' : t('monitor.seenAgo', { ms: m.lastSeenMs })) : t('monitor.unreachable')}
                    {m.reachable && behind(m) ? `, ${t('monitor.catchingUp')}` : ''}
                  </Tag>
                ))}
            </Space>
          ),
        },
        {
          key: 'projections',
          label: t('monitor.projections'),
          children: (
            <Space orientation="vertical" size={0}>
              {s.projections.map((p) => (
                <span key={p.name}>
                  {p.name}: {p.position} <Tag color={p.lag === 0 ? 'green' : 'orange'}>{t('monitor.lagOf', { lag: p.lag })}</Tag>
                </span>
              ))}
            </Space>
          ),
        },
      ]}
    />
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
