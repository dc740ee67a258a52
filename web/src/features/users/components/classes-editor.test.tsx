import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeServer, renderWithProviders } from '@/test/render';
import { ClassesEditor, normalizeClasses, tooLongClass } from './classes-editor';

describe('normalizeClasses and tooLongClass', () => {
  it('trims, drops blanks and keeps each name once, where it was first given', () => {
    expect(normalizeClasses([' 7A', '7B', '', '  ', '7A ', '初二(3)班'])).toEqual(['7A', '7B', '初二(3)班']);
    expect(normalizeClasses([])).toEqual([]);
  });

  it('finds a name over 64 characters (counted as characters, not UTF-16 units)', () => {
    expect(tooLongClass(['7A', 'c'.repeat(64), '班'.repeat(64)])).toBeNull();
    expect(tooLongClass(['7A', 'c'.repeat(65)])).toBe('c'.repeat(65));
  });
});

/** Picks an option of the open select's list (antd lists them by title). */
async function pickOption(select: HTMLElement, name: string) {
  await userEvent.click(select);
  const list = document.querySelector<HTMLElement>('.ant-select-dropdown');
  await userEvent.click(within(list!).getByTitle(name));
}

/** Opens the editor's dialog for ms.kim and answers its combobox. */
async function openEditor() {
  await userEvent.click(screen.getByRole('button', { name: 'Edit classes of ms.kim' }));
  const dialog = await screen.findByRole('dialog', { name: 'Classes of ms.kim' });
  return { dialog, select: within(dialog).getByRole('combobox', { name: 'Classes of ms.kim' }) };
}

describe('ClassesEditor', () => {
  it('shows the classes, adds one typed in and one picked from the known classes, and sends the whole list', async () => {
    const server = fakeServer({ 'PUT /api/users/:username/classes': (req) => ({ body: { username: 'ms.kim', classes: (req.body as { classes: string[] }).classes, commandId: 'c-1', position: 7 } }) });
    renderWithProviders(<ClassesEditor username="ms.kim" classes={['7A']} knownClasses={['7A', '8B', '9C']} />);
    expect(screen.getByText('7A')).toBeInTheDocument();
    const { dialog, select } = await openEditor();
    expect(within(dialog).getByRole('button', { name: 'Save' })).toBeDisabled();
    await userEvent.type(select, ' 10D ,');
    await pickOption(select, '8B');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Classes of ms.kim saved')).toBeInTheDocument();
    expect(server.seen.map((r) => [r.method, r.path, r.body])).toEqual([['PUT', '/api/users/ms.kim/classes', { classes: ['7A', '10D', '8B'] }]]);
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });

  it('removes every class (an empty list assigns none)', async () => {
    const server = fakeServer({ 'PUT /api/users/:username/classes': () => ({ body: { username: 'ms.kim', classes: [], commandId: 'c-2', position: 8 } }) });
    renderWithProviders(<ClassesEditor username="ms.kim" classes={['7A', '7B']} knownClasses={[]} />);
    const { dialog, select } = await openEditor();
    await userEvent.click(select);
    await userEvent.keyboard('{Backspace}{Backspace}');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await screen.findByText('Classes of ms.kim saved');
    expect(server.seen.map((r) => r.body)).toEqual([{ classes: [] }]);
  });

  it('says when a name is too long and does not send it', async () => {
    const server = fakeServer({});
    renderWithProviders(<ClassesEditor username="ms.kim" classes={[]} knownClasses={[]} />);
    expect(screen.getByText('No class')).toBeInTheDocument();
    const { dialog, select } = await openEditor();
    await userEvent.type(select, `${'c'.repeat(65)},`);
    expect(within(dialog).getByText(`A class name has at most 64 characters: ${'c'.repeat(65)}`)).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Save' })).toBeDisabled();
    expect(server.seen).toEqual([]);
  });

  it("shows the node's refusal and keeps the dialog open", async () => {
    fakeServer({ 'PUT /api/users/:username/classes': () => ({ status: 422, body: { statusCode: 422, error: 'Unprocessable Entity', message: 'user ms.kim is student: only teacher and club users look after classes' } }) });
    renderWithProviders(<ClassesEditor username="ms.kim" classes={[]} knownClasses={['7A']} />);
    const { dialog, select } = await openEditor();
    await pickOption(select, '7A');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('user ms.kim is student: only teacher and club users look after classes')).toBeInTheDocument();
    expect(screen.getByRole('dialog', { name: 'Classes of ms.kim' })).toBeInTheDocument();
  });
});
