import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ClusterMonitor } from '@/features/cluster/components/cluster-monitor';
import { usePageTitle } from '../use-page-title';

/** The cluster monitor. */
export default function AdminClusterRoute() {
  const { t } = useTranslation();
  usePageTitle('nav.monitor');
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 20 }}>
        {t('monitor.title')}
      </Typography.Title>
      <ClusterMonitor />
    </>
  );
}
