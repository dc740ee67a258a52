import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect, it } from 'vitest';
import { fakeServer } from '@/test/render';
import { student, studentsPage } from '@/test/students';
import { AppRoot } from '../index';

// jsdom matches no media query: the page lays itself out as on a phone.
it('on a phone puts the roster first and a bar after it that counts the selection and opens the award form', async () => {
  const server = fakeServer({
    'GET /api/auth/me': () => ({ body: { username: 'kim', role: 'teacher', displayName: 'Ms Kim', classes: ['7A'] } }),
    'GET /api/students': () => studentsPage([student('s-1', 'Ada'), student('s-2', 'Grace')]),
    'GET /api/reasons': () => ({ body: { items: [], scoreRange: { min: 0, max: 200 } } }),
    'GET /api/applications': () => ({ body: { items: [], page: 1, pageSize: 20, total: 0 } }),
    'POST /api/applications': (req) => ({ status: 201, body: { commandId: `c-${(req.body as { studentId: string }).studentId}`, position: 1, applicationId: 'a', status: 'pending' } }),
  });
  window.history.pushState({}, '', '/teacher');
  render(<AppRoot />);
  const ada = await screen.findByRole('checkbox', { name: 'Select Ada' }, { timeout: 30_000 });
  const bar = screen.getByRole('region', { name: 'Award points' });
  // The roster comes before the bar; the form is not on the page until the bar opens it.
  expect(ada.compareDocumentPosition(bar) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  expect(screen.queryByRole('button', { name: 'Submit for review' })).toBeNull();
  expect(within(bar).getByText('Select students in the roster first.')).toBeInTheDocument();
  expect(within(bar).getByRole('button', { name: 'Award or deduct (0)' })).toBeDisabled();

  await userEvent.click(ada);
  await userEvent.click(screen.getByRole('checkbox', { name: 'Select Grace' }));
  expect(within(bar).getByText('2 selected')).toBeInTheDocument();
  await userEvent.click(within(bar).getByRole('button', { name: 'Award or deduct (2)' }));
  const drawer = await screen.findByRole('dialog');
  expect(drawer.closest('.ant-drawer')).toHaveClass('ant-drawer-open');
  await userEvent.type(within(drawer).getByLabelText('Or a reason in your words'), 'Cleaned the lab');
  await userEvent.click(within(drawer).getByRole('button', { name: 'Submit for review' }));

  await waitFor(() => expect(server.seen.filter((r) => r.method === 'POST' && r.path === '/api/applications')).toHaveLength(2));
  // Submitted: the selection is cleared and the form closes, back to the roster.
  await waitFor(() => expect(within(bar).getByRole('button', { name: 'Award or deduct (0)' })).toBeDisabled());
  await waitFor(() => expect(drawer.closest('.ant-drawer')).not.toHaveClass('ant-drawer-open'));
}, 120_000);
