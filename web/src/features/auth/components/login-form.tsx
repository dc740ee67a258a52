import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '@/lib/api/client';
import { LanguageSwitch } from '@/components/language-switch';
import { useLogin, useRetryLogout } from '../api/session';

/**
 * The login card; `expired` says the session ended and drafts are kept; `logoutUnrecorded` that
 * the last logout is not yet recorded by the whole cluster.
 */
export function LoginForm({ expired, logoutUnrecorded = false, onLoggedIn }: { expired: boolean; logoutUnrecorded?: boolean; onLoggedIn: () => void }) {
  const { t } = useTranslation();
  const login = useLogin();
  const failed = login.error instanceof ApiError && login.error.status === 401;
  const retry = useRetryLogout();
  const recorded = retry.data?.recorded === true;
  return (
    <section className="login-card" aria-labelledby="login-title">
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 12, marginBottom: 8 }}>
        <Typography.Title id="login-title" level={1} style={{ fontSize: 22, margin: 0 }}>
          {t('app.title')}
        </Typography.Title>
        <LanguageSwitch />
      </div>
      <Typography.Paragraph type="secondary">{t('login.subtitle')}</Typography.Paragraph>
      {expired && <Alert type="info" showIcon title={t('login.expired')} style={{ marginBottom: 16 }} />}
      {logoutUnrecorded &&
        (recorded ? (
          <Alert role="status" type="success" showIcon title={t('login.logoutRecorded')} style={{ marginBottom: 16 }} />
        ) : (
          <Alert
            role="status"
            type="warning"
            showIcon
            title={t('login.logoutUnrecorded')}
            description={
              <>
                {retry.data?.recorded === false && <div role="alert">{t('login.logoutStillUnrecorded')}</div>}
                {retry.error && <div role="alert">{retry.error.message}</div>}
                <Button size="small" style={{ marginTop: 8 }} loading={retry.isPending} onClick={() => retry.mutate()}>
                  {t('login.logoutRetry')}
                </Button>
              </>
            }
            style={{ marginBottom: 16 }}
          />
        ))}
      {login.error && (
        <Alert role="alert" type="error" showIcon title={failed ? t('login.failed') : login.error.message} style={{ marginBottom: 16 }} />
      )}
      <Form
        layout="vertical"
        requiredMark={false}
        onFinish={(values: { username: string; password: string }) => login.mutate(values, { onSuccess: onLoggedIn })}
      >
        <Form.Item label={t('login.username')} name="username" rules={[{ required: true, message: t('login.required') }]}>
          <Input prefix={<UserOutlined aria-hidden />} autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item label={t('login.password')} name="password" rules={[{ required: true, message: t('login.required') }]}>
          <Input.Password prefix={<LockOutlined aria-hidden />} autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={login.isPending}>
          {t('login.submit')}
        </Button>
      </Form>
    </section>
  );
}
