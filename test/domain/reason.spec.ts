import {
  type CreateReason,
  type ReasonCreated,
  type ReasonUpdated,
  type UpdateReason,
  checkNamedReason,
  decideReason,
  evolveReason,
  initialReasonState,
} from '../../src/domain';
import { NOW, admin, club, ref, studentActor, teacher } from './fixtures';
import { scenario } from './given-when-then';

const reason = scenario({ decide: decideReason, evolve: evolveReason, initialState: initialReasonState }, { actor: admin, now: NOW });

const fields = { labelZh: '助人为乐', labelEn: 'Helped others', defaultDelta: 2, polarity: 'positive' as const, active: true };
const create = (data: Partial<CreateReason['data']> = {}): CreateReason => ({ type: 'CreateReason', data: { code: 'helped', ...fields, ...data } });
const update = (data: Partial<UpdateReason['data']>): UpdateReason => ({ type: 'UpdateReason', data: { code: 'helped', ...data } });
const created: ReasonCreated = {
  type: 'ReasonCreated',
  schemaVersion: 1,
  streamType: 'reason',
  streamId: 'helped',
  data: { code: 'helped', ...fields, actor: ref(admin), at: NOW },
};
const updated = (data: Partial<ReasonUpdated['data']>): ReasonUpdated => ({
  type: 'ReasonUpdated',
  schemaVersion: 1,
  streamType: 'reason',
  streamId: 'helped',
  data: { code: 'helped', ...fields, actor: ref(admin), at: NOW, ...data },
});

describe('CreateReason', () => {
  it('adds a reason to the catalogue, labels trimmed: ReasonCreated', () => {
    const state = reason.given([]).when(create({ labelEn: '  Helped others ' })).then([created]);
    expect(state).toEqual(expect.objectContaining({ exists: true, code: 'helped', active: true, version: 1 }));
  });

  it.each([
    ['teacher', teacher],
    ['club', club],
    ['student', studentActor],
  ] as const)('refuses a %s: forbidden', (_name, actor) => {
    reason.given([]).when(create(), { actor }).thenRefused('forbidden');
  });

  it('refuses a code that exists: conflict', () => {
    reason.given([created]).when(create()).thenRefused('conflict', /already exists/);
  });

  it.each([
    ['a malformed code', { code: 'Has Space' }, /reason code/],
    ['an empty label', { labelZh: '  ' }, /labelZh/],
    ['a zero delta', { defaultDelta: 0 }, /defaultDelta/],
    ['a fractional delta', { defaultDelta: 1.5 }, /defaultDelta/],
    ['a delta beyond the bound', { defaultDelta: 101 }, /defaultDelta/],
    ['a negative delta for a positive reason', { defaultDelta: -2 }, /above 0/],
    ['a positive delta for a negative reason', { polarity: 'negative' as const, defaultDelta: 3 }, /below 0/],
    ['an unknown polarity', { polarity: 'neutral' as never }, /polarity/],
  ])('refuses %s: invalid', (_what, data, message) => {
    reason.given([]).when(create(data)).thenRefused('invalid', message);
  });
});

describe('UpdateReason', () => {
  it('deactivates a reason: ReasonUpdated with every field as it now is', () => {
    const state = reason.given([created]).when(update({ active: false })).then([updated({ active: false })]);
    expect(state.active).toBe(false);
    expect(state.version).toBe(2);
  });

  it('changes labels and the delta together', () => {
    reason.given([created]).when(update({ labelEn: 'Helped a classmate', defaultDelta: 3 })).then([updated({ labelEn: 'Helped a classmate', defaultDelta: 3 })]);
  });

  it('decides nothing when nothing changes', () => {
    reason.given([created]).when(update({ labelZh: '助人为乐', active: true })).then([]);
  });

  it('refuses an unknown code: not-found', () => {
    reason.given([]).when(update({ active: false })).thenRefused('not-found');
  });

  it('refuses a polarity flip that leaves the delta on the wrong side: invalid', () => {
    reason.given([created]).when(update({ polarity: 'negative' })).thenRefused('invalid', /below 0/);
  });

  it('refuses a teacher: forbidden', () => {
    reason.given([created]).when(update({ active: false }), { actor: teacher }).thenRefused('forbidden');
  });
});

describe('a reason code named by a score change', () => {
  const state = (events: (ReasonCreated | ReasonUpdated)[]) => events.reduce(evolveReason, initialReasonState);

  it('passes for an active reason', () => {
    expect(checkNamedReason(state([created]), 'helped')).toBeNull();
  });

  it('is refused when unknown or inactive (rule-broken), or malformed (invalid)', () => {
    expect(checkNamedReason(state([]), 'helped')).toEqual({ code: 'rule-broken', message: expect.stringMatching(/not in the catalogue/) });
    expect(checkNamedReason(state([created, updated({ active: false })]), 'helped')).toEqual({ code: 'rule-broken', message: expect.stringMatching(/not active/) });
    expect(checkNamedReason(state([]), 'NOPE!')).toEqual(expect.objectContaining({ code: 'invalid' }));
  });
});
