import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect, it } from 'vitest';
import { fakeServer } from '@/test/render';
import { studentsPage } from '@/test/students';
import { AppRoot } from './index';

const ADMIN_ENTRIES = ['Overview', 'Reviews', 'Students', 'Batch & archive', 'Users', 'Reasons', 'Archives', 'Exports', 'Cluster monitor'];

it("opens every entry of the role's menu in a drawer (a phone's menu), names the page, and follows the entry picked", async () => {
  fakeServer({
    'GET /api/auth/me': () => ({ body: { username: 'admin', role: 'admin', displayName: 'Admin' } }),
    'GET /api/students': () => studentsPage([]),
    'GET /api/reasons': () => ({ body: { items: [], scoreRange: { min: 0, max: 200 } } }),
  });
  window.history.pushState({}, '', '/admin/students');
  render(<AppRoot />);
  const open = await screen.findByRole('button', { name: 'Open the menu' }, { timeout: 30_000 });
  expect(open).toHaveAttribute('aria-expanded', 'false');
  // The header names the page the menu is folded away from.
  expect(screen.getByRole('banner')).toHaveTextContent('Students');
  await userEvent.click(open);
  const drawer = await screen.findByRole('dialog');
  const entries = within(within(drawer).getByRole('navigation', { name: 'Main menu' })).getAllByRole('menuitem');
  expect(entries.map((e) => e.textContent)).toEqual(ADMIN_ENTRIES);
  expect(open).toHaveAttribute('aria-expanded', 'true');
  await userEvent.click(within(drawer).getByRole('menuitem', { name: 'Reasons' }));
  await waitFor(() => expect(window.location.pathname).toBe('/admin/reasons'));
  await waitFor(() => expect(screen.getByRole('button', { name: 'Open the menu' })).toHaveAttribute('aria-expanded', 'false'));
}, 120_000);
