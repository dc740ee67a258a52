import { act, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { QuorumBanner } from '@/components/quorum-banner';
import { fakeServer, renderWithProviders } from '@/test/render';
import { getJson, isQueued, sendJson, setUnauthorizedHandler } from './client';
import { consistencyStore } from './consistency';

afterEach(() => {
  consistencyStore.set({ noQuorum: false, pending: [] });
  document.cookie = 'csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
  setUnauthorizedHandler(() => {});
});

describe('the API client', () => {
  it('echoes the csrf cookie in X-CSRF-Token on writes, with an Idempotency-Key', async () => {
    document.cookie = 'csrf=tok%2B1';
    const server = fakeServer({ 'POST /api/students': () => ({ status: 201, body: { commandId: 'c1', position: 3 } }) });
    await sendJson('POST', '/api/students', { studentId: 's-1' });
    expect(server.seen[0]!.headers.get('X-CSRF-Token')).toBe('tok+1');
    expect(server.seen[0]!.headers.get('Idempotency-Key')).toMatch(/.{8,}/);
    expect(server.seen[0]!.body).toEqual({ studentId: 's-1' });
  });

  it('sends a write refused for want of a quorum again with Prefer: respond-async and the same key, and shows it pending', async () => {
    const server = fakeServer({
      'POST /api/applications': (req) =>
        req.headers.get('Prefer') === 'respond-async'
          ? { status: 202, body: { commandId: 'cmd-9', position: null }, headers: { 'Preference-Applied': 'respond-async', Location: '/api/commands/cmd-9' } }
          : { status: 503, body: { statusCode: 503, error: 'Service Unavailable', message: 'no quorum' } },
    });
    renderWithProviders(<QuorumBanner />);
    let answer: unknown;
    await act(async () => {
      answer = await sendJson('POST', '/api/applications', { studentId: 's-1', delta: 1, reason: 'x' });
    });
    expect(isQueued(answer)).toBe(true);
    expect(server.seen).toHaveLength(2);
    expect(server.seen[1]!.headers.get('Idempotency-Key')).toBe(server.seen[0]!.headers.get('Idempotency-Key'));
    expect(await screen.findByRole('alert')).toHaveTextContent(/no quorum/i);
    expect(screen.getByRole('alert')).toHaveTextContent(/1 change waiting to apply/);
  });

  it('raises the banner on a stale read and lowers it on a fresh one', async () => {
    let stale = true;
    fakeServer({ 'GET /api/students': () => ({ body: { items: [] }, headers: stale ? { 'X-Consistency': 'stale' } : ({} as Record<string, string>) }) });
    renderWithProviders(<QuorumBanner />);
    await act(() => getJson('/api/students'));
    expect(screen.getByRole('alert')).toBeInTheDocument();
    stale = false;
    await act(() => getJson('/api/students'));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('tells the app when a signed-in call answers 401, but not for the login itself', async () => {
    fakeServer({
      'GET /api/students': () => ({ status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'expired' } }),
      'GET /api/auth/me': () => ({ status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'none' } }),
    });
    const onExpired = vi.fn();
    setUnauthorizedHandler(onExpired);
    await expect(getJson('/api/auth/me')).rejects.toMatchObject({ status: 401 });
    expect(onExpired).not.toHaveBeenCalled();
    await expect(getJson('/api/students')).rejects.toMatchObject({ status: 401, message: 'expired' });
    expect(onExpired).toHaveBeenCalledTimes(1);
  });
});
