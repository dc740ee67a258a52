import { Replica, consensusConfig } from '../../src/consensus';
import { seededRandom } from '../../src/shared/random';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MetricsRegistry } from '../../src/node/metrics-registry';
import { DEPLOY_DIR, declaredMetrics, metricNamesOf, shippedAlertRules, shippedDashboard, shippedExpressions } from '../support/monitoring-files';

/**
 * The monitoring shipped in deploy/: the scrape configuration names the compose nodes, the alert
 * rules cover what an operator must hear of, and every metric the dashboard and the alerts read is
 * one the node's MetricsRegistry declares (test/e2e/observability.spec.ts checks a running node).
 */
describe('deploy/prometheus and deploy/grafana', () => {
  it('scrapes node1..node3 of docker-compose.yml on their HTTP port and loads the alert rules', () => {
    const config = parse(readFileSync(join(DEPLOY_DIR, 'prometheus', 'prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; metrics_path: string; static_configs: { targets: string[]; labels: { node: string } }[] }[];
    };
    const compose = parse(readFileSync(join(DEPLOY_DIR, '..', 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { environment?: Record<string, string> }> };
    const job = config.scrape_configs.find((c) => c.job_name === 'behavior');
    expect(job?.metrics_path).toBe('/metrics');
    const targets = job!.static_configs.map((s) => [s.labels.node, s.targets]);
    const nodes = Object.entries(compose.services).filter(([, s]) => s.environment?.NODE_ID !== undefined);
    expect(nodes.length).toBe(3);
    expect(targets).toEqual(nodes.map(([name, s]) => [s.environment!.NODE_ID, [`${name}:${s.environment!.HTTP_PORT}`]]));
    expect(config.rule_files).toEqual(['alerts.yml']);
  });

  it('alerts on no leader, apply lag, projection lag, a saga needing an operator, a node unreachable and failing proposals', () => {
    const rules = shippedAlertRules();
    const byName = new Map(rules.map((r) => [r.alert, r]));
    const wanted: [string, string][] = [
      ['BehaviorNoLeader', 'behavior_is_leader'],
      ['BehaviorApplyLag', 'behavior_apply_lag_slots'],
      ['BehaviorProjectionLag', 'behavior_projection_lag_seconds'],
      ['BehaviorSagaNeedsOperator', 'behavior_sagas_needing_operator'],
      ['BehaviorNodeUnreachable', 'up'],
      ['BehaviorProposalsFailing', 'behavior_proposals_failed_total'],
    ];
    for (const [alert, metric] of wanted) {
      const rule = byName.get(alert);
      expect(rule).toBeDefined();
      const names = metricNamesOf(rule!.expr);
      expect([...names.exported, ...names.prometheus]).toContain(metric);
    }
    for (const rule of rules) {
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(['critical', 'warning']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toBeTruthy();
    }
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  it("every metric the dashboard and the alerts read is declared by the node's MetricsRegistry", async () => {
    const metrics = new MetricsRegistry();
    metrics.watch({
      tickMs: 10,
      status: () => new Replica(consensusConfig({ nodeId: 'n1', members: ['n1'] }), seededRandom(1)).status(),
      dropped: () => ({ 'bad-json': 0 }),
      logHead: () => 0,
      projections: () => [{ name: 'read-models', position: 0 }],
      sagasOpen: () => 0,
      sagasNeedingOperator: () => 0,
      queuedCommands: async () => 0,
      natsState: () => ({ connected: true, reconnects: 0 }),
      hasQuorum: () => false,
    });
    const declared = declaredMetrics(await metrics.registry.metrics());
    const expressions = shippedExpressions();
    expect(shippedDashboard().panels.filter((p) => p.type !== 'row').length).toBeGreaterThan(10);
    const named = new Set(expressions.flatMap((e) => metricNamesOf(e).exported));
    expect(named.size).toBeGreaterThan(15);
    expect([...named].filter((name) => !declared.has(name))).toEqual([]);
  });
});
