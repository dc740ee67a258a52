import { LogoutOutlined, MenuOutlined } from '@ant-design/icons';
import { Badge, Button, Drawer, Layout, Menu, Tooltip } from 'antd';
import { useState } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '@/components/language-switch';
import { QuorumBanner } from '@/components/quorum-banner';
import type { Me, Role } from '@/lib/api/types';
import { useLiveUpdates } from '@/lib/stream';
import { useLogout } from '@/features/auth/api/session';

const MENUS: Record<Role, { path: string; key: string }[]> = {
  student: [{ path: '/student', key: 'nav.student' }],
  teacher: [
    { path: '/teacher', key: 'nav.teacher' },
    { path: '/teacher/applications', key: 'nav.teacherApps' },
  ],
  club: [
    { path: '/teacher', key: 'nav.teacher' },
    { path: '/teacher/applications', key: 'nav.teacherApps' },
  ],
  admin: [
    { path: '/admin', key: 'nav.adminHome' },
    { path: '/admin/reviews', key: 'nav.reviews' },
    { path: '/admin/students', key: 'nav.students' },
    { path: '/admin/batch', key: 'nav.batch' },
    { path: '/admin/users', key: 'nav.users' },
    { path: '/admin/reasons', key: 'nav.reasons' },
    { path: '/admin/archives', key: 'nav.archives' },
    { path: '/admin/exports', key: 'nav.exports' },
    { path: '/admin/cluster', key: 'nav.monitor' },
  ],
};

/**
 * The signed-in frame: header with the role's menu, language, live indicator, logout; the quorum
 * banner. Below 768 px (styles.css) the menu is a button that opens every entry in a drawer, the
 * header naming the page, so that no entry hides in an overflow "…" on a phone.
 */
export default function PortalLayout({ me }: { me: Me }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const logout = useLogout();
  const live = useLiveUpdates(true);
  const items = MENUS[me.role].map((m) => ({ key: m.path, label: t(m.key) }));
  const current = [...MENUS[me.role]].reverse().find((m) => location.pathname === m.path || location.pathname.startsWith(`${m.path}/`));
  const selected = current?.path;
  const [drawerOpen, setDrawerOpen] = useState(false);
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header className="app-header" role="banner">
        <Button
          className="menu-narrow"
          icon={<MenuOutlined aria-hidden />}
          aria-label={t('app.openMenu')}
          aria-expanded={drawerOpen}
          aria-controls="app-menu-drawer"
          onClick={() => setDrawerOpen(true)}
        />
        <span className="app-title">{t('app.title')}</span>
        <nav aria-label={t('app.menu')} className="menu-wide" style={{ flex: 1, minWidth: 0 }}>
          <Menu className="app-menu" mode="horizontal" selectedKeys={selected ? [selected] : []} items={items} onClick={({ key }) => void navigate(key)} />
        </nav>
        <span className="menu-narrow app-current-page">{current ? t(current.key) : ''}</span>
        <Tooltip title={live ? t('app.live') : t('app.offline')}>
          <span role="img" aria-label={live ? t('app.live') : t('app.offline')}>
            <Badge status={live ? 'success' : 'default'} />
          </span>
        </Tooltip>
        <LanguageSwitch />
        <Tooltip title={t('app.signedInAs', { name: me.displayName, role: t(`roles.${me.role}`) })}>
          <Button
            icon={<LogoutOutlined aria-hidden />}
            aria-label={t('app.logout')}
            onClick={() =>
              logout.mutate(undefined, {
                // Whatever the answer, the session is over here: the login page says when the cluster did not record it.
                onSettled: (answer) => void navigate(answer?.recorded === false ? '/login?logout=unrecorded' : '/login', { replace: true }),
              })
            }
          >
            <span className="hide-xs">{t('app.logout')}</span>
          </Button>
        </Tooltip>
      </Layout.Header>
      <Drawer
        id="app-menu-drawer"
        placement="left"
        size={260}
        open={drawerOpen}
        onClose={() => setDrawerOpen(false)}
        title={t('app.title')}
        closable={{ 'aria-label': t('app.close') }}
        styles={{ body: { padding: 0 } }}
      >
        <nav aria-label={t('app.menu')}>
          <Menu
            mode="inline"
            selectedKeys={selected ? [selected] : []}
            items={items}
            onClick={({ key }) => {
              setDrawerOpen(false);
              void navigate(key);
            }}
          />
        </nav>
      </Drawer>
      <QuorumBanner />
      <Layout.Content className="app-content" role="main">
        <Outlet />
      </Layout.Content>
    </Layout>
  );
}
