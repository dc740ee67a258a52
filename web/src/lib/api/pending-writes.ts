import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useStore } from '../store';
import { ApiError, getJson, seg } from './client';
import { consistencyStore, removePendingWrite } from './consistency';
import type { CommandStatus } from './types';

/** How often queued writes are asked about. */
export const PENDING_POLL_MS = 2_000;

/**
 * Asks `GET /api/commands/:id` about each queued write until it applied or was refused; then it
 * leaves the banner and the queries refresh.
 */
export function usePendingWritesPoller(): void {
  const { pending } = useStore(consistencyStore);
  const queryClient = useQueryClient();
  useEffect(() => {
    if (pending.length === 0) return;
    const timer = setInterval(() => {
      for (const { commandId } of pending) {
        getJson<CommandStatus>(`/api/commands/${seg(commandId)}`)
          .then((status) => {
            if (status.status !== 'pending') {
              removePendingWrite(commandId);
              void queryClient.invalidateQueries();
            }
          })
          .catch((error: unknown) => {
            if (error instanceof ApiError && error.status === 404) removePendingWrite(commandId);
          });
      }
    }, PENDING_POLL_MS);
    return () => clearInterval(timer);
  }, [pending, queryClient]);
}
