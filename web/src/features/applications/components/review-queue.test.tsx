import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect, it } from 'vitest';
import type { Application, Reason } from '@/lib/api/types';
import { fakeServer, renderWithProviders } from '@/test/render';
import { ReviewQueue } from './review-queue';

const application = (applicationId: string, reason: string, reasonCode: string | null): Application => ({
  applicationId,
  studentId: `s-${applicationId}`,
  delta: 2,
  reason,
  reasonCode,
  submittedBy: 'teacher-kim',
  status: 'pending',
  reviewer: null,
  comment: null,
  submittedAt: '2026-03-02T08:00:00Z',
  reviewedAt: null,
  position: 7,
});
const helped: Reason = { code: 'helped', labelZh: '帮助同学', labelEn: 'Helped a classmate', defaultDelta: 2, polarity: 'positive', active: true, updatedAt: '2026-01-01T00:00:00Z', position: 3 };

function serve() {
  return fakeServer({
    'GET /api/applications': () => ({ body: { items: [application('a-1', '帮助同学', 'helped'), application('a-2', '课堂积极发言', null)], page: 1, pageSize: 500, total: 2 } }),
    'GET /api/reasons': () => ({ body: { items: [helped], scoreRange: { min: 0, max: 200 } } }),
  });
}

it('keeps both bulk buttons disabled until a row is selected, then enables both', async () => {
  serve();
  renderWithProviders(<ReviewQueue studentName={(id) => id} />);
  const approve = await screen.findByRole('button', { name: 'Approve selected (0)' });
  const reject = screen.getByRole('button', { name: 'Reject selected (0)' });
  expect(approve).toBeDisabled();
  expect(reject).toBeDisabled();
  await userEvent.click(screen.getByRole('checkbox', { name: /a-1/ }));
  expect(screen.getByRole('button', { name: 'Approve selected (1)' })).toBeEnabled();
  expect(screen.getByRole('button', { name: 'Reject selected (1)' })).toBeEnabled();
});

it("shows a catalogue reason in the reader's language and a free reason as it was written", async () => {
  serve();
  renderWithProviders(<ReviewQueue studentName={(id) => id} />);
  const first = (await screen.findByText('s-a-1')).closest('tr')!;
  expect(await within(first).findByText('Helped a classmate')).toBeInTheDocument();
  expect(within(first).queryByText('帮助同学')).toBeNull();
  const second = screen.getByText('s-a-2').closest('tr')!;
  expect(within(second).getByText('课堂积极发言')).toBeInTheDocument();
});
