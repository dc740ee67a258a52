import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect, it } from 'vitest';
import { fakeServer } from '@/test/render';
import { studentsPage } from '@/test/students';
import { AppRoot } from './index';

const admin = { username: 'admin', role: 'admin', displayName: 'Admin' };
const NOT_RECORDED = {
  status: 503,
  headers: { 'Retry-After': '1' },
  body: { statusCode: 503, error: 'Service Unavailable', message: 'logged out on this node only: the logout is not yet recorded cluster-wide (no quorum)' },
};
const unauthorized = { status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'missing bearer token' } };

/** Signs in as the admin on the students page, then clicks Log out; the node answers `logout`. */
async function logOutWith(...answers: { status: number; body?: unknown; headers?: Record<string, string> }[]) {
  let signedIn = true;
  let calls = 0;
  const server = fakeServer({
    'GET /api/auth/me': () => (signedIn ? { body: admin } : unauthorized),
    'GET /api/students': () => studentsPage([]),
    'GET /api/reasons': () => ({ body: { items: [] } }),
    'POST /api/auth/logout': () => {
      signedIn = false;
      return answers[Math.min(calls++, answers.length - 1)];
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
  await logOutWith(NOT_RECORDED);
  expect(await screen.findByText(/could not record the logout yet/)).toBeInTheDocument();
}, 120_000);

it('offers to retry a logout the cluster did not record: another 503 says so, a 204 says it is recorded', async () => {
  const { seen } = await logOutWith(NOT_RECORDED, NOT_RECORDED, { status: 204 });
  const logouts = () => seen.filter((r) => r.method === 'POST' && r.path === '/api/auth/logout');
  await userEvent.click(await screen.findByRole('button', { name: 'Record the logout now' }));
  expect(await screen.findByText('The cluster still could not record the logout. Try again in a moment.')).toBeInTheDocument();
  expect(logouts()).toHaveLength(2);
  await userEvent.click(screen.getByRole('button', { name: 'Record the logout now' }));
  expect(await screen.findByText(/The logout is now recorded/)).toBeInTheDocument();
  expect(logouts()).toHaveLength(3);
  expect(screen.queryByText(/could not record the logout yet/)).not.toBeInTheDocument();
  expect(screen.queryByRole('button', { name: 'Record the logout now' })).not.toBeInTheDocument();
}, 120_000);
