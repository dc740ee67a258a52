import { useMemo } from 'react';
import { useOverview } from '@/features/stats/api/stats';
import { UsersAdmin } from '@/features/users/components/users-admin';
import { usePageTitle } from '../use-page-title';

/** Users: create, change role, a teacher's classes, disable, reset password. */
export default function AdminUsersRoute() {
  usePageTitle('nav.users');
  // The classes students are in, offered when assigning a teacher's classes.
  const overview = useOverview();
  const knownClasses = useMemo(() => (overview.data?.classes ?? []).map((c) => c.className), [overview.data]);
  return <UsersAdmin knownClasses={knownClasses} />;
}
