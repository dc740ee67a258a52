import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api/client';

/** Server state: short staleness (the SSE stream invalidates on every change), no retry of 4xx. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        refetchOnWindowFocus: true,
        retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      },
      mutations: { retry: false },
    },
  });
}
