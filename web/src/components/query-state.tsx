import { Alert, Button, Spin } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** Loading spinner or error (with retry) for a query, else its content. */
export function QueryState({ isLoading, error, onRetry, children }: { isLoading: boolean; error: unknown; onRetry?: () => void; children: ReactNode }) {
  const { t } = useTranslation();
  if (isLoading) return <Spin aria-label={t('app.loading')} />;
  if (error)
    return (
      <Alert
        type="error"
        showIcon
        title={t('app.error', { message: error instanceof Error ? error.message : String(error) })}
        action={onRetry ? <Button size="small" onClick={onRetry}>{t('app.retry')}</Button> : undefined}
      />
    );
  return <>{children}</>;
}
