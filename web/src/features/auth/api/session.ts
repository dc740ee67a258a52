import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, getJson } from '@/lib/api/client';
import type { Me } from '@/lib/api/types';

export const ME_KEY = ['me'] as const;

/** The signed-in user, or null when there is no session (401). */
export function useMe() {
  return useQuery({
    queryKey: ME_KEY,
    queryFn: async (): Promise<Me | null> => {
      try {
        return await getJson<Me>('/api/auth/me');
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

/** Logs in: the node sets the session cookie; the user is read again. */
export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: { username: string; password: string }) => {
      const { response } = await api.POST('/api/auth/login', { body });
      if (!response.ok) throw new ApiError(response.status, undefined);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ME_KEY });
    },
  });
}

/**
 * Logs out: the node ends the session and clears the cookies; every cached answer is dropped.
 * Answers whether the cluster recorded the logout: on a 503 (no quorum) this node refuses the
 * token and the cookies are gone, but other nodes may take it until it expires.
 */
export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (): Promise<{ recorded: boolean }> => {
      const { response } = await api.POST('/api/auth/logout');
      return { recorded: response.status !== 503 };
    },
    onSettled: () => {
      queryClient.clear();
      queryClient.setQueryData(ME_KEY, null);
    },
  });
}

/**
 * Records again a logout the cluster could not record (the login page's retry): the node finds
 * the token in the HttpOnly pending-logout cookie it left on the 503. Answers whether it is
 * recorded now (false on another 503).
 */
export function useRetryLogout() {
  return useMutation({
    mutationFn: async (): Promise<{ recorded: boolean }> => {
      const { error, response } = await api.POST('/api/auth/logout');
      if (response.status === 503) return { recorded: false };
      if (!response.ok) throw new ApiError(response.status, error as never);
      return { recorded: true };
    },
  });
}
