import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { consistencyStore } from '../lib/api/consistency';
import { usePendingWritesPoller } from '../lib/api/pending-writes';
import { useStore } from '../lib/store';

/** Shown on every portal while the cluster has no quorum, and while queued writes wait. */
export function QuorumBanner() {
  const { t } = useTranslation();
  const { noQuorum, pending } = useStore(consistencyStore);
  usePendingWritesPoller();
  if (!noQuorum && pending.length === 0) return null;
  return (
    <Alert
      role="alert"
      type="warning"
      showIcon
      banner
      title={noQuorum ? t('banner.noQuorum') : t('banner.pending', { count: pending.length })}
      description={noQuorum && pending.length > 0 ? t('banner.pending', { count: pending.length }) : undefined}
    />
  );
}
