import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { act } from 'react';
import { expect, it } from 'vitest';
import { render } from '@testing-library/react';
import { fakeServer } from '@/test/render';
import { studentsPage } from '@/test/students';
import { AppRoot } from './index';

/** Types `text` into `field` as one input (a paste): the draft is what matters here, not keystrokes, and each keystroke renders the form again. */
async function fill(field: HTMLElement, text: string): Promise<void> {
  await userEvent.click(field);
  await userEvent.paste(text);
}

it('returns to login when the session expires, then back to the page with what the user typed', async () => {
  let signedIn = true;
  const admin = { username: 'admin', role: 'admin', displayName: 'Admin' };
  const unauthorized = { status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'session expired' } };
  fakeServer({
    'GET /api/auth/me': () => (signedIn ? { body: admin } : unauthorized),
    'GET /api/students': () => (signedIn ? studentsPage([]) : unauthorized),
    'GET /api/reasons': () => (signedIn ? { body: { items: [] } } : unauthorized),
    'POST /api/students': () => {
      signedIn = false;
      return unauthorized;
    },
    'POST /api/auth/login': () => {
      signedIn = true;
      return { body: { accessToken: 't', expiresIn: 3600, role: 'admin' } };
    },
  });
  window.history.pushState({}, '', '/admin/students');
  render(<AppRoot />);
  const name = await screen.findByRole('textbox', { name: 'Name' }, { timeout: 10_000 });
  await fill(screen.getByRole('textbox', { name: 'Student ID' }), 's-42');
  await fill(name, 'Half-typed name');
  await fill(screen.getByRole('textbox', { name: 'Class' }), '7A');
  await userEvent.click(screen.getByRole('button', { name: 'Register a student' }));

  expect(await screen.findByText(/Your session has ended/, {}, { timeout: 10_000 })).toBeInTheDocument();
  expect(window.location.pathname).toBe('/login');
  await fill(screen.getByLabelText('Username'), 'admin');
  await fill(screen.getByLabelText('Password'), 'admin-password');
  await act(async () => {
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
  });

  await waitFor(() => expect(window.location.pathname).toBe('/admin/students'), { timeout: 10_000 });
  expect(await screen.findByRole('textbox', { name: 'Name' }, { timeout: 10_000 })).toHaveValue('Half-typed name');
  expect(screen.getByRole('textbox', { name: 'Student ID' })).toHaveValue('s-42');
}, 120_000);
