import { useEffect, useRef } from 'react';
import { echarts, type EChartsCoreOption } from '../lib/echarts';

/** A chart with an accessible name; the option is applied as it changes; resizes with its box. */
export function Chart({ option, label, height = 260 }: { option: EChartsCoreOption; label: string; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof echarts.init> | null>(null);
  useEffect(() => {
    if (box.current === null) return;
    const instance = echarts.init(box.current, undefined, { renderer: 'svg' });
    chart.current = instance;
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => instance.resize());
    observer?.observe(box.current);
    return () => {
      observer?.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption({ aria: { enabled: true, label: { description: label } }, animation: false, ...option }, true);
  }, [option, label]);
  return <div ref={box} role="img" aria-label={label} style={{ width: '100%', height }} />;
}
