import { useMemo } from 'react';
import { Chart } from '@/components/chart';
import type { ScorePoint } from '../api/students';

/** A student's score over time as a stepped line. */
export function ScoreChart({ points, label }: { points: ScorePoint[]; label: string }) {
  const option = useMemo(
    () => ({
      grid: { left: 40, right: 16, top: 16, bottom: 32 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', boundaryGap: false, data: points.map((p) => shortTime(p.at)) },
      yAxis: { type: 'value', scale: true, minInterval: 1 },
      series: [{ type: 'line', symbolSize: 8, data: points.map((p) => p.score), name: label, areaStyle: { opacity: 0.08 } }],
    }),
    [points, label],
  );
  return <Chart option={option} label={`${label}: ${points.map((p) => p.score).join(', ')}`} />;
}

/** "MM-DD HH:mm" in local time of an ISO time; a bare day ("2026-01-05") stays "01-05". */
function shortTime(at: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(at)) return at.slice(5);
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return at;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
