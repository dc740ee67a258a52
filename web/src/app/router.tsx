import { useQueryClient } from '@tanstack/react-query';
import { Result, Spin } from 'antd';
import { lazy, type ReactNode, Suspense, useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { createBrowserRouter, Navigate, RouterProvider, useLocation } from 'react-router';
import { setUnauthorizedHandler } from '@/lib/api/client';
import type { Me, Role } from '@/lib/api/types';
import { ME_KEY, useMe } from '@/features/auth/api/session';
import { LoginRoute } from './routes/login';
import { homeOf, RETURN_TO_KEY } from './session';

// Portals (and the signed-in frame) load on demand: the login page carries neither them nor ECharts.
const PortalLayout = lazy(() => import('./layout'));
const StudentRoute = lazy(() => import('./routes/student'));
const TeacherRoute = lazy(() => import('./routes/teacher'));
const TeacherApplicationsRoute = lazy(() => import('./routes/teacher-applications'));
const AdminHomeRoute = lazy(() => import('./routes/admin/home'));
const AdminReviewsRoute = lazy(() => import('./routes/admin/reviews'));
const AdminStudentsRoute = lazy(() => import('./routes/admin/students'));
const AdminBatchRoute = lazy(() => import('./routes/admin/batch'));
const AdminUsersRoute = lazy(() => import('./routes/admin/users'));
const AdminReasonsRoute = lazy(() => import('./routes/admin/reasons'));
const AdminArchivesRoute = lazy(() => import('./routes/admin/archives'));
const AdminExportsRoute = lazy(() => import('./routes/admin/exports'));
const AdminClusterRoute = lazy(() => import('./routes/admin/cluster'));

function Loading() {
  const { t } = useTranslation();
  return <Spin style={{ display: 'block', margin: '64px auto' }} aria-label={t('app.loading')} />;
}

/** Signed in, or off to the login page (remembering where the user was). */
function RequireSession() {
  const me = useMe();
  const location = useLocation();
  if (me.isLoading) return <Loading />;
  if (!me.data) {
    const expired = sessionStorage.getItem(RETURN_TO_KEY) !== null;
    if (!expired && location.pathname !== '/') sessionStorage.setItem(RETURN_TO_KEY, location.pathname + location.search);
    return <Navigate to={expired ? '/login?expired=1' : '/login'} replace />;
  }
  return (
    <Suspense fallback={<Loading />}>
      <PortalLayout me={me.data} />
    </Suspense>
  );
}

/** A page for some roles only. */
function ForRoles({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const { t } = useTranslation();
  const me = useMe();
  if (!me.data || !roles.includes(me.data.role)) return <Result status="403" title={t('app.forbidden')} />;
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

function Home() {
  const me = useMe();
  return <Navigate to={homeOf((me.data as Me).role)} replace />;
}

function NotFound() {
  const { t } = useTranslation();
  return <Result status="404" title={t('app.notFound')} />;
}

const STAFF: Role[] = ['teacher', 'club'];
const ADMIN: Role[] = ['admin'];

function createRouter() {
  return createBrowserRouter([
    { path: '/login', element: <LoginRoute /> },
    {
      path: '/',
      element: <RequireSession />,
      children: [
        { index: true, element: <Home /> },
        { path: 'student', element: <ForRoles roles={['student']}><StudentRoute /></ForRoles> },
        { path: 'teacher', element: <ForRoles roles={STAFF}><TeacherRoute /></ForRoles> },
        { path: 'teacher/applications', element: <ForRoles roles={STAFF}><TeacherApplicationsRoute /></ForRoles> },
        { path: 'admin', element: <ForRoles roles={ADMIN}><AdminHomeRoute /></ForRoles> },
        { path: 'admin/reviews', element: <ForRoles roles={ADMIN}><AdminReviewsRoute /></ForRoles> },
        { path: 'admin/students', element: <ForRoles roles={ADMIN}><AdminStudentsRoute /></ForRoles> },
        { path: 'admin/batch', element: <ForRoles roles={ADMIN}><AdminBatchRoute /></ForRoles> },
        { path: 'admin/users', element: <ForRoles roles={ADMIN}><AdminUsersRoute /></ForRoles> },
        { path: 'admin/reasons', element: <ForRoles roles={ADMIN}><AdminReasonsRoute /></ForRoles> },
        { path: 'admin/archives', element: <ForRoles roles={ADMIN}><AdminArchivesRoute /></ForRoles> },
        { path: 'admin/exports', element: <ForRoles roles={ADMIN}><AdminExportsRoute /></ForRoles> },
        { path: 'admin/cluster', element: <ForRoles roles={ADMIN}><AdminClusterRoute /></ForRoles> },
        { path: '*', element: <NotFound /> },
      ],
    },
  ]);
}

/** The router; a 401 from any signed-in call ends the session and returns to the login page. */
export function AppRouter() {
  const queryClient = useQueryClient();
  const router = useMemo(createRouter, []);
  useEffect(() => {
    setUnauthorizedHandler(() => {
      if (router.state.location.pathname === '/login') return;
      const { pathname, search } = router.state.location;
      sessionStorage.setItem(RETURN_TO_KEY, pathname + search);
      queryClient.setQueryData(ME_KEY, null);
      void router.navigate('/login?expired=1', { replace: true });
    });
    return () => setUnauthorizedHandler(() => {});
  }, [router, queryClient]);
  return <RouterProvider router={router} />;
}
