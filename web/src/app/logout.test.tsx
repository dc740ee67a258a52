import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, it, vi } from 'vitest';
import { fakeServer } from '@/test/render';
import { AppRoot } from './index';

afterEach(() => vi.unstubAllGlobals());

const admin = { username: 'admin', role: 'admin', displayName: 'Admin' };
const unauthorized = { status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'missing bearer token' } };

/** Signs in as the admin on the students page, then clicks Log out; the node answers `logout`. */
async function logOutWith(logout: { status: number; body?: unknown; headers?: Record<string, string> }) {
  let signedIn = true;
  const server = fakeServer({
    'GET /api/auth/me': () => (signedIn ? { body: admin } : unauthorized),
    'GET /api/students': () => ({ body: { items: [], page: 1, pageSize: 100, total: 0 } }),
    'GET /api/reasons': () => ({ body: { items: [] } }),
    'POST /api/auth/logout': () => {
      signedIn = false;
      return logout;
    },
  });
  window.history.pushState({}, '', '/admin/students');
  render(<AppRoot />);
  await userEvent.click(await screen.findByRole('button', { name: 'Log out' }, { timeout: 30_000 }));
  await waitFor(() => expect(window.location.pathname).toBe('/login'), { timeout: 30_000 });
  expect(await screen.findByRole('button', { name: 'Sign in' }, { timeout: 30_000 })).toBeInTheDocument();
  return server;
}

it('lands on the login page after a logout the cluster recorded, with no warning', async () => {
  const { seen } = await logOutWith({ status: 204 });
  expect(seen.filter((r) => r.method === 'POST' && r.path === '/api/auth/logout')).toHaveLength(1);
  expect(screen.queryByText(/could not record the logout/)).not.toBeInTheDocument();
}, 120_000);

it('lands on the login page after a 503 logout too, saying the cluster has not recorded it yet', async () => {
  await logOutWith({
    status: 503,
    headers: { 'Retry-After': '1' },
    body: { statusCode: 503, error: 'Service Unavailable', message: 'logged out on this node only: the logout is not yet recorded cluster-wide (no quorum)' },
  });
  expect(await screen.findByText(/could not record the logout yet/)).toBeInTheDocument();
}, 120_000);
