import { useMemo } from 'react';
import { Chart } from '@/components/chart';
import type { ScorePoint } from '../api/students';

/** A student's score over time as a stepped line. */
export function ScoreChart({ points, label }: { points: ScorePoint[]; label: string }) {
  const option = useMemo(
    () => ({
      grid: { left: 40, right: 16, top: 16, bottom: 32 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', scale: true },
      series: [{ type: 'line', step: 'end', symbolSize: 8, data: points.map((p) => [p.at, p.score]), name: label }],
    }),
    [points, label],
  );
  return <Chart option={option} label={`${label}: ${points.map((p) => p.score).join(', ')}`} />;
}
