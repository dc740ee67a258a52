import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { keysForEvent } from '@/lib/stream';
import { fakeServer, renderWithProviders } from '@/test/render';
import { WithSelection, student, studentsPage } from '@/test/students';
import { classesOfScope, defaultScope, effectiveScope } from './class-picker';
import { TeacherRoster } from './teacher-roster';

const SCHOOL = [student('s-1', 'Ada', '7A'), student('s-2', 'Grace', '7B'), student('s-3', 'Linus', '8C'), student('s-4', 'Alan', '8C')];

/** GET /api/students as the node answers it: one class when asked for one, else everyone. */
function school() {
  return fakeServer({
    'GET /api/students': (req) => {
      const className = req.query.get('className');
      return studentsPage(className === null ? SCHOOL : SCHOOL.filter((s) => s.className === className));
    },
  });
}

/** The roster as the teacher page holds it; "assign 8C" stands for an admin's assignment arriving live. */
function Harness({ initial }: { initial: readonly string[] }) {
  const [myClasses, setMyClasses] = useState(initial);
  return (
    <>
      <button type="button" onClick={() => setMyClasses(['8C'])}>
        assign 8C
      </button>
      <WithSelection>{(selection) => <TeacherRoster myClasses={myClasses} {...selection} />}</WithSelection>
    </>
  );
}

const names = () => within(screen.getByRole('table')).queryAllByRole('row').slice(1).map((row) => within(row).getAllByRole('cell')[1]?.textContent);
const asked = (server: ReturnType<typeof school>) => server.seen.map((r) => r.query.get('className'));

/** Picks a scope in the class picker (antd lists options by title). */
async function pick(label: string) {
  await userEvent.click(screen.getByRole('combobox', { name: 'Classes shown' }));
  const list = document.querySelector<HTMLElement>('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
  await userEvent.click(within(list!).getByTitle(label));
}

describe('the roster scope', () => {
  it('opens on the only class, on all classes when there are several, on the school when there is none', () => {
    expect(defaultScope(['7A'])).toEqual({ kind: 'class', className: '7A' });
    expect(defaultScope(['7A', '7B'])).toEqual({ kind: 'mine' });
    expect(defaultScope([])).toEqual({ kind: 'school' });
  });

  it('keeps a pick while it fits the classes, else falls back to the default (classes change live)', () => {
    expect(effectiveScope({ kind: 'class', className: '7B' }, ['7A', '7B'])).toEqual({ kind: 'class', className: '7B' });
    expect(effectiveScope({ kind: 'class', className: '7B' }, ['7A'])).toEqual({ kind: 'class', className: '7A' });
    expect(effectiveScope({ kind: 'mine' }, ['7A'])).toEqual({ kind: 'class', className: '7A' });
    expect(effectiveScope({ kind: 'school' }, ['7A'])).toEqual({ kind: 'school' });
    expect(effectiveScope(null, [])).toEqual({ kind: 'school' });
    expect(classesOfScope({ kind: 'mine' }, ['7A', '7B'])).toEqual(['7A', '7B']);
    expect(classesOfScope({ kind: 'school' }, ['7A'])).toBeNull();
  });

  it("refreshes the signed-in user's session on a user event (their classes may have changed)", () => {
    expect(keysForEvent('UserClassesAssigned')).toEqual(expect.arrayContaining([['me'], ['users']]));
  });
});

describe('TeacherRoster', () => {
  it("shows the teacher's classes first and reads only them; one class, or the whole school, is a pick away", { timeout: 120_000 }, async () => {
    const server = school();
    renderWithProviders(<Harness initial={['7B', '7A']} />);
    await waitFor(() => expect(names()).toEqual(['Grace', 'Ada']));
    expect(screen.getByRole('combobox', { name: 'Classes shown' })).toBeInTheDocument();
    expect(screen.getByText('All my classes (2)')).toBeInTheDocument();
    expect(asked(server).sort()).toEqual(['7A', '7B']);
    // The roster's own class filter is for the whole school only.
    expect(screen.queryByRole('combobox', { name: 'Class' })).not.toBeInTheDocument();

    await pick('7A');
    await waitFor(() => expect(names()).toEqual(['Ada']));

    await pick('Whole school');
    await waitFor(() => expect(names()).toEqual(['Ada', 'Grace', 'Linus', 'Alan']));
    expect(asked(server)).toContain(null);
    await userEvent.type(screen.getByRole('searchbox', { name: 'Search' }), 'lin');
    await waitFor(() => expect(names()).toEqual(['Linus']));
    await userEvent.click(screen.getByRole('checkbox', { name: 'Select Linus' }));
    expect(screen.getByLabelText('selected')).toHaveTextContent('s-3');
  });

  it('with no class assigned, shows the whole school and says so; an assignment arriving live switches to that class', { timeout: 120_000 }, async () => {
    const server = school();
    renderWithProviders(<Harness initial={[]} />);
    expect(await screen.findByText(/No class is assigned to you yet/)).toBeInTheDocument();
    await waitFor(() => expect(names()).toHaveLength(4));
    expect(screen.queryByRole('combobox', { name: 'Classes shown' })).not.toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Class' })).toBeInTheDocument();
    expect(asked(server)).toEqual([null]);

    await userEvent.click(screen.getByRole('button', { name: 'assign 8C' }));
    await waitFor(() => expect(names()).toEqual(['Linus', 'Alan']));
    expect(screen.queryByText(/No class is assigned to you yet/)).not.toBeInTheDocument();
    expect(asked(server)).toEqual([null, '8C']);
    // One class: no "all my classes" entry, the class itself and the school.
    await userEvent.click(screen.getByRole('combobox', { name: 'Classes shown' }));
    const list = document.querySelector<HTMLElement>('.ant-select-dropdown')!;
    expect(within(list).queryByTitle(/All my classes/)).not.toBeInTheDocument();
    expect(within(list).getByTitle('Whole school')).toBeInTheDocument();
  });
});
