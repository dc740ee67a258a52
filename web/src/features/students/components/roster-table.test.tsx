import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect, it } from 'vitest';
import { renderWithProviders } from '@/test/render';
import { WithSelection, student } from '@/test/students';
import { RosterTable } from './roster-table';

const students = [student('s-1', 'Ada', '7A'), student('s-2', 'Grace', '7A'), student('s-3', 'Linus', '7B')];

it('searches by name or id and selects one or many students', async () => {
  renderWithProviders(<WithSelection>{(selection) => <RosterTable students={students} loading={false} {...selection} />}</WithSelection>);
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
