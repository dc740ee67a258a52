import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeServer, renderWithProviders } from '@/test/render';
import { AwardPanel, awardOf } from './award-panel';

const reasons = [
  { code: 'help', label: 'Helped others', defaultDelta: 2 },
  { code: 'late', label: 'Late', defaultDelta: -1 },
];

describe('awardOf', () => {
  it('signs the points by direction and names the catalogue reason', () => {
    expect(awardOf({ direction: 'award', reasonCode: 'help', points: 3 }, reasons)).toEqual({ delta: 3, reason: 'Helped others', reasonCode: 'help' });
    expect(awardOf({ direction: 'deduct', reasonCode: 'late', points: 0 }, reasons)).toEqual({ delta: -1, reason: 'Late', reasonCode: 'late' });
    expect(awardOf({ direction: 'award', reason: ' tidy desk ', points: 1 }, reasons)).toEqual({ delta: 1, reason: 'tidy desk' });
    expect(awardOf({ direction: 'award', points: 1 }, reasons)).toEqual({ missing: 'teacher.needReason' });
  });
});

describe('AwardPanel', () => {
  it('submits one application per selected student and clears the selection', async () => {
    const server = fakeServer({ 'POST /api/applications': (req) => ({ status: 201, body: { commandId: `c-${(req.body as { studentId: string }).studentId}`, position: 1, status: 'pending' } }) });
    const onSubmitted = vi.fn();
    renderWithProviders(<AwardPanel selected={['s-1', 's-2', 's-3']} reasons={reasons} onSubmitted={onSubmitted} />);
    expect(screen.getByText('3 selected')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Or a reason in your words'), 'Cleaned the lab');
    await userEvent.clear(screen.getByLabelText('Points'));
    await userEvent.type(screen.getByLabelText('Points'), '2');
    await userEvent.click(screen.getByRole('button', { name: 'Submit for review' }));
    await waitFor(() => expect(onSubmitted).toHaveBeenCalledTimes(1));
    expect(server.seen.map((r) => r.body)).toEqual(
      expect.arrayContaining(['s-1', 's-2', 's-3'].map((studentId) => ({ studentId, delta: 2, reason: 'Cleaned the lab' }))),
    );
    expect(await screen.findByText('3 applications submitted')).toBeInTheDocument();
  });

  it('keeps what was typed in a draft that a new mount restores (after an expired session)', async () => {
    const first = renderWithProviders(<AwardPanel selected={[]} reasons={reasons} onSubmitted={() => {}} />);
    await userEvent.type(screen.getByLabelText('Or a reason in your words'), 'Half-typed');
    first.unmount();
    renderWithProviders(<AwardPanel selected={[]} reasons={reasons} onSubmitted={() => {}} />);
    expect(screen.getByLabelText('Or a reason in your words')).toHaveValue('Half-typed');
  });

  it('says which submissions failed', async () => {
    fakeServer({
      'POST /api/applications': (req) =>
        (req.body as { studentId: string }).studentId === 's-2'
          ? { status: 409, body: { statusCode: 409, error: 'Conflict', message: 'student s-2 is frozen' } }
          : { status: 201, body: { commandId: 'c', position: 1 } },
    });
    const onSubmitted = vi.fn();
    renderWithProviders(<AwardPanel selected={['s-1', 's-2']} reasons={reasons} onSubmitted={onSubmitted} />);
    await userEvent.type(screen.getByLabelText('Or a reason in your words'), 'x');
    await userEvent.click(screen.getByRole('button', { name: 'Submit for review' }));
    expect(await screen.findByText('1 could not be submitted: student s-2 is frozen')).toBeInTheDocument();
    expect(onSubmitted).not.toHaveBeenCalled();
  });
});
