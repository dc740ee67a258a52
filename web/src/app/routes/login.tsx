import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { Me } from '@/lib/api/types';
import { LoginForm } from '@/features/auth/components/login-form';
import { ME_KEY, useMe } from '@/features/auth/api/session';
import { homeOf, RETURN_TO_KEY } from '../session';

/** The login page; after login, back to where an expired session left off (drafts restore there). */
export function LoginRoute() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useMe();
  useEffect(() => {
    document.title = `${t('login.title')} · ${t('app.title')}`;
  }, [t]);
  const proceed = (user: Me) => {
    const back = sessionStorage.getItem(RETURN_TO_KEY);
    sessionStorage.removeItem(RETURN_TO_KEY);
    void navigate(back && back.startsWith('/') && !back.startsWith('//') ? back : homeOf(user.role), { replace: true });
  };
  useEffect(() => {
    if (me.data) proceed(me.data);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [me.data]);
  return (
    <main className="login-page">
      <LoginForm
        expired={params.get('expired') === '1'}
        logoutUnrecorded={params.get('logout') === 'unrecorded'}
        onLoggedIn={() => void queryClient.invalidateQueries({ queryKey: ME_KEY })}
      />
    </main>
  );
}
