import { Alert, Button, Card, List, Steps, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { QueryState } from '@/components/query-state';
import type { Saga } from '@/lib/api/types';
import { useRetrySaga, useSaga } from '../api/sagas';

const STEP_STATUS: Record<Saga['steps'][number]['status'], 'wait' | 'process' | 'finish' | 'error'> = {
  pending: 'wait',
  started: 'process',
  done: 'finish',
  failed: 'error',
  compensated: 'error',
};

const SAGA_COLORS: Record<string, string> = { running: 'processing', compensating: 'warning', completed: 'success', compensated: 'error' };

/** A saga live: its steps, the failure with each student's reason, compensations, the operator retry. */
export function SagaProgress({ sagaId }: { sagaId: string }) {
  const { t } = useTranslation();
  const saga = useSaga(sagaId);
  const retry = useRetrySaga();
  const s = saga.data;
  return (
    <Card size="small" title={t('batch.saga', { id: sagaId })} extra={s && <Tag color={SAGA_COLORS[s.status] ?? 'default'}>{t('batch.sagaStatus', { status: t(`sagaStatus.${s.status}`, { defaultValue: s.status }) })}</Tag>}>
      <QueryState isLoading={saga.isLoading} error={saga.error} onRetry={() => void saga.refetch()}>
        {s && (
          <>
            <Steps
              size="small"
              orientation="vertical"
              items={s.steps.map((step) => ({ title: step.step, status: STEP_STATUS[step.status], description: step.status === 'compensated' ? t('batch.compensated') : undefined }))}
            />
            {s.failure && (
              <Alert
                type="error"
                showIcon
                title={t('batch.failure', { step: s.failure.step })}
                description={<ReasonList reasons={s.failure.reasons} />}
                style={{ marginTop: 12 }}
              />
            )}
            {s.compensated.length > 0 && (
              <Typography.Paragraph style={{ marginTop: 12 }}>
                {t('batch.compensated')}: {s.compensated.join(', ')}
              </Typography.Paragraph>
            )}
            {s.operator && (
              <Alert
                type="warning"
                showIcon
                title={t('batch.operator', { step: s.operator.step })}
                description={<ReasonList reasons={s.operator.reasons} />}
                action={
                  <Button size="small" loading={retry.isPending} onClick={() => retry.mutate(sagaId)}>
                    {t('batch.retry')}
                  </Button>
                }
                style={{ marginTop: 12 }}
              />
            )}
          </>
        )}
      </QueryState>
    </Card>
  );
}

function ReasonList({ reasons }: { reasons: readonly { studentId?: string; code: string; message: string }[] }) {
  return (
    <List
      size="small"
      dataSource={[...reasons]}
      renderItem={(r) => (
        <List.Item>
          {r.studentId ? <Typography.Text strong>{r.studentId}: </Typography.Text> : null}
          {r.message} <Tag>{r.code}</Tag>
        </List.Item>
      )}
    />
  );
}
