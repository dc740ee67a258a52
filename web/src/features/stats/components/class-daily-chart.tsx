import { Card } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Chart } from '@/components/chart';
import { QueryState } from '@/components/query-state';
import { useClassDaily } from '../api/stats';

/** A class's awards and deductions per day. */
export function ClassDailyChart({ className }: { className: string }) {
  const { t } = useTranslation();
  const daily = useClassDaily(className);
  const days = daily.data ?? [];
  const option = useMemo(
    () => ({
      grid: { left: 40, right: 16, top: 32, bottom: 32 },
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      xAxis: { type: 'category', data: days.map((d) => d.day) },
      yAxis: [{ type: 'value', name: t('admin.changes') }, { type: 'value', name: t('admin.average'), scale: true }],
      series: [
        { type: 'bar', name: t('admin.changes'), data: days.map((d) => d.changes), itemStyle: { color: '#0958d9' } },
        { type: 'line', name: t('admin.average'), yAxisIndex: 1, data: days.map((d) => d.averageScore), itemStyle: { color: '#d48806' } },
      ],
    }),
    [days, t],
  );
  return (
    <Card size="small" title={t('admin.dailyChart', { className })}>
      <QueryState isLoading={daily.isLoading} error={daily.error}>
        <Chart option={option} label={t('admin.dailyChart', { className })} />
      </QueryState>
    </Card>
  );
}
