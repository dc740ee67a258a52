import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getJson, seg, sendJson } from '@/lib/api/client';
import type { Page, Role, User } from '@/lib/api/types';

/** Users, paged (admin). */
export function useUsers(page = 1, pageSize = 50) {
  return useQuery({
    queryKey: ['users', page, pageSize],
    queryFn: async () => {
      const body = await getJson<Page<User> | User[]>('/api/users', { page, pageSize });
      return Array.isArray(body) ? { items: body, page: 1, pageSize: body.length, total: body.length } : body;
    },
    placeholderData: keepPreviousData,
  });
}

/** Classes one teacher or club user looks after at most (the API's bound). */
export const USER_CLASSES_MAX = 20;
/** Characters of a class name at most (the API's bound). */
export const CLASS_NAME_MAX = 64;

/** The admin's writes on users. */
export function useUserWrites() {
  const queryClient = useQueryClient();
  const done = () => void queryClient.invalidateQueries({ queryKey: ['users'] });
  return {
    create: useMutation({
      mutationFn: (body: { username: string; password: string; role: Role; displayName: string; studentId?: string }) => sendJson('POST', '/api/users', body, `user ${body.username}`),
      onSuccess: done,
    }),
    update: useMutation({
      mutationFn: ({ username, ...body }: { username: string; role?: Role; disabled?: boolean }) => sendJson('PATCH', `/api/users/${seg(username)}`, body, `user ${username}`),
      onSuccess: done,
    }),
    assignClasses: useMutation({
      mutationFn: ({ username, classes }: { username: string; classes: string[] }) => sendJson('PUT', `/api/users/${seg(username)}/classes`, { classes }, `classes ${username}`),
      onSuccess: done,
    }),
    resetPassword: useMutation({
      mutationFn: ({ username, password }: { username: string; password: string }) => sendJson('POST', `/api/users/${seg(username)}/password`, { password }, `password ${username}`),
    }),
  };
}
