import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

/** The repository's deploy/ folder. */
export const DEPLOY_DIR = resolve(__dirname, '..', '..', 'deploy');

/** One alert rule of deploy/prometheus/alerts.yml. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** Every alert rule of the shipped alerts file. */
export function shippedAlertRules(): AlertRule[] {
  const doc = parse(readFileSync(join(DEPLOY_DIR, 'prometheus', 'alerts.yml'), 'utf8')) as { groups: { rules: AlertRule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
}

/** The shipped Grafana dashboard, as parsed JSON. */
export function shippedDashboard(): { panels: { type: string; title: string; targets?: { expr: string }[] }[] } {
  return JSON.parse(readFileSync(join(DEPLOY_DIR, 'grafana', 'behavior-cluster.json'), 'utf8')) as ReturnType<typeof shippedDashboard>;
}

/** Every PromQL expression of the dashboard's panels and of the alert rules. */
export function shippedExpressions(): string[] {
  const panels = shippedDashboard().panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  return [...panels, ...shippedAlertRules().map((r) => r.expr)];
}

/** Series Prometheus makes itself (not exported by a node). */
const PROMETHEUS_SERIES: ReadonlySet<string> = new Set(['up']);

/**
 * The metric names an expression reads: identifiers of the node's namespaces (`behavior_`,
 * `process_`, `nodejs_`) plus Prometheus's own `up`; a histogram's `_bucket`, `_sum` and `_count`
 * series name the histogram. Label names, values and functions are not metric names.
 */
export function metricNamesOf(expr: string): { exported: string[]; prometheus: string[] } {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""');
  const exported = new Set<string>();
  const prometheus = new Set<string>();
  for (const match of withoutStrings.matchAll(/(?<![A-Za-z0-9_:{,=])([a-z_:][a-z0-9_:]*)(?=\s*(\{|\[|\)|$|\s|==|>|<))/g)) {
    const name = match[1];
    if (PROMETHEUS_SERIES.has(name)) prometheus.add(name);
    else if (/^(behavior|process|nodejs)_/.test(name)) exported.add(name.replace(/_(bucket|sum|count)$/, ''));
  }
  return { exported: [...exported], prometheus: [...prometheus] };
}

/** Metric names declared (`# TYPE name kind`) in a /metrics text. */
export function declaredMetrics(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map((m) => m[1]));
}
