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
      yAxis: { type: 'value' },
      series: [
        { type: 'bar', name: t('teacher.award'), stack: 'd', data: days.map((d) => d.awarded ?? 0), itemStyle: { color: '#389e0d' } },
        { type: 'bar', name: t('teacher.deduct'), stack: 'd', data: days.map((d) => -(Math.abs(d.deducted ?? 0))), itemStyle: { color: '#cf1322' } },
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
