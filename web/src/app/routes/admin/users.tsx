import { UsersAdmin } from '@/features/users/components/users-admin';
import { usePageTitle } from '../use-page-title';

/** Users: create, change role, disable, reset password. */
export default function AdminUsersRoute() {
  usePageTitle('nav.users');
  return <UsersAdmin />;
}
