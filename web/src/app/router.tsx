import { useQueryClient } from '@tanstack/react-query';
import { Result, Spin } from 'antd';
import { lazy, type ReactNode, Suspense, useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { createBrowserRouter, Navigate, RouterProvider, useLocation } from 'react-router';
import { setUnauthorizedHandler } from '@/lib/api/client';
import type { Me, Role } from '@/lib/api/types';
import { ME_KEY, useMe } from '@/features/auth/api/session';
import { prefetchPendingQueue } from '@/features/applications/api/applications';
import { LoginRoute } from './routes/login';
import { homeOf, RETURN_TO_KEY } from './session';

// Portals (and the signed-in frame) load on demand: the login page carries neither them nor ECharts.
const loadLayout = () => import('./layout');
const ROUTE_CHUNKS = {
  '/student': () => import('./routes/student'),
  '/teacher': () => import('./routes/teacher'),
  '/teacher/applications': () => import('./routes/teacher-applications'),
  '/admin': () => import('./routes/admin/home'),
  '/admin/reviews': () => import('./routes/admin/reviews'),
  '/admin/students': () => import('./routes/admin/students'),
  '/admin/batch': () => import('./routes/admin/batch'),
  '/admin/users': () => import('./routes/admin/users'),
  '/admin/reasons': () => import('./routes/admin/reasons'),
  '/admin/archives': () => import('./routes/admin/archives'),
  '/admin/exports': () => import('./routes/admin/exports'),
  '/admin/cluster': () => import('./routes/admin/cluster'),
} as const;
const PortalLayout = lazy(loadLayout);
const StudentRoute = lazy(ROUTE_CHUNKS['/student']);
const TeacherRoute = lazy(ROUTE_CHUNKS['/teacher']);
const TeacherApplicationsRoute = lazy(ROUTE_CHUNKS['/teacher/applications']);
const AdminHomeRoute = lazy(ROUTE_CHUNKS['/admin']);
const AdminReviewsRoute = lazy(ROUTE_CHUNKS['/admin/reviews']);
const AdminStudentsRoute = lazy(ROUTE_CHUNKS['/admin/students']);
const AdminBatchRoute = lazy(ROUTE_CHUNKS['/admin/batch']);
const AdminUsersRoute = lazy(ROUTE_CHUNKS['/admin/users']);
const AdminReasonsRoute = lazy(ROUTE_CHUNKS['/admin/reasons']);
const AdminArchivesRoute = lazy(ROUTE_CHUNKS['/admin/archives']);
const AdminExportsRoute = lazy(ROUTE_CHUNKS['/admin/exports']);
const AdminClusterRoute = lazy(ROUTE_CHUNKS['/admin/cluster']);

/**
 * On opening a portal's address, fetches the frame's and the page's code while the session is
 * checked, instead of one after the other (the login page fetches neither).
 */
function preloadChunksOf(pathname: string): void {
  if (pathname === '/login') return;
  void loadLayout();
  void ROUTE_CHUNKS[pathname.replace(/\/+$/, '') as keyof typeof ROUTE_CHUNKS]?.();
}

function Loading() {
  const { t } = useTranslation();
  return <Spin style={{ display: 'block', margin: '64px auto' }} aria-label={t('app.loading')} />;
}

/** Signed in, or off to the login page (remembering where the user was). */
function RequireSession() {
  const me = useMe();
  const location = useLocation();
  const queryClient = useQueryClient();
  const isAdmin = me.data?.role === 'admin';
  useEffect(() => {
    if (isAdmin && location.pathname === '/admin/reviews') prefetchPendingQueue(queryClient);
    // Only on the first signed-in render: later visits find the queue in the cache or the stream.
  }, [isAdmin, queryClient]);
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
  const router = useMemo(() => {
    preloadChunksOf(window.location.pathname);
    return createRouter();
  }, []);
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
