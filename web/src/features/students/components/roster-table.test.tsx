import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { expect, it } from 'vitest';
import type { Student } from '@/lib/api/types';
import { renderWithProviders } from '@/test/render';
import { RosterTable } from './roster-table';

const student = (studentId: string, name: string, className: string): Student => ({
  studentId,
  name,
  className,
  score: 100,
  initialScore: 100,
  frozen: false,
  archived: false,
  updatedAt: '2026-01-01T00:00:00Z',
  position: 1,
});
const students = [student('s-1', 'Ada', '7A'), student('s-2', 'Grace', '7A'), student('s-3', 'Linus', '7B')];

function Harness() {
  const [selected, setSelected] = useState<string[]>([]);
  return (
    <>
      <output aria-label="selected">{selected.join(',')}</output>
      <RosterTable students={students} loading={false} selected={selected} onSelect={setSelected} />
    </>
  );
}

it('searches by name or id and selects one or many students', async () => {
  renderWithProviders(<Harness />);
  const table = screen.getByRole('table');
  expect(within(table).getAllByRole('row')).toHaveLength(4);
  await userEvent.type(screen.getByRole('searchbox', { name: 'Search' }), 'gra');
  expect(within(table).queryByText('Ada')).not.toBeInTheDocument();
  expect(within(table).getByText('Grace')).toBeInTheDocument();
  await userEvent.click(screen.getByRole('checkbox', { name: 'Select Grace' }));
  await userEvent.clear(screen.getByRole('searchbox', { name: 'Search' }));
  await userEvent.click(screen.getByText('Linus'));
  expect(screen.getByLabelText('selected')).toHaveTextContent('s-2,s-3');
});
