import type { ApiCommand, CommandAnswer, CommandGateway, ExecuteOptions } from '../../../src/application/command-gateway';
import { AsyncCommandQueue, type CommandQueueStore } from '../../../src/application/command-queue';
import { DomainRefusal } from '../../../src/application/domain-refusal';
import { IdempotencyKeyReusedError } from '../../../src/application/idempotency';
import { NoQuorumError } from '../../../src/application/proposal-errors';
import type { Actor, DomainError } from '../../../src/domain';
import { prefersAsync } from '../../../src/http/common/command-runner';

const actor: Actor = { username: 'admin', role: 'admin' };
const modify = (studentId: string): ApiCommand => ({ name: 'scores.modify', data: { studentId, delta: 1, reason: 'r' } });

class MemoryStore implements CommandQueueStore {
  readonly rows = new Map<string, { command: ApiCommand; actor: Actor; refusal: DomainError | null; attempts: number }>();
  async enqueue(id: string, command: ApiCommand, a: Actor): Promise<boolean> {
    if (this.rows.has(id)) return false;
    this.rows.set(id, { command, actor: a, refusal: null, attempts: 0 });
    return true;
  }
  async waiting(limit: number) {
    return [...this.rows].filter(([, r]) => r.refusal === null).slice(0, limit).map(([commandId, r]) => ({ commandId, command: r.command, actor: r.actor }));
  }
  async get(id: string) {
    return this.rows.get(id);
  }
  async countAttempt(id: string): Promise<void> {
    this.rows.get(id)!.attempts++;
  }
  async reject(id: string, refusal: DomainError): Promise<void> {
    this.rows.get(id)!.refusal = refusal;
  }
  async remove(id: string): Promise<void> {
    this.rows.delete(id);
  }
  async countWaiting(): Promise<number> {
    return [...this.rows.values()].filter((r) => r.refusal === null).length;
  }
}

/** Answers by student id: 'ok', 'missing' (404, in the log), 'bad' (400, not in the log), 'noquorum'. */
class ScriptedGateway implements CommandGateway {
  readonly calls: string[] = [];
  readonly options: (ExecuteOptions | undefined)[] = [];
  execute(): Promise<CommandAnswer> {
    throw new Error('the queue proposes under the ids it stored (executeAs)');
  }
  async executeAs(command: ApiCommand, _actor: Actor, key: string, options?: ExecuteOptions): Promise<CommandAnswer> {
    this.calls.push(key);
    this.options.push(options);
    if ((command.data as { reason?: string }).reason === 'reused') throw new IdempotencyKeyReusedError();
    const studentId = (command.data as { studentId: string }).studentId;
    if (studentId === 'missing') throw new DomainRefusal({ code: 'not-found', message: 'no such student' });
    if (studentId === 'bad') throw new DomainRefusal({ code: 'invalid', message: 'bad' });
    if (studentId === 'noquorum') throw new NoQuorumError(1);
    return { commandId: key!, position: 1, result: {}, duplicate: false };
  }
}

describe('the respond-async command queue', () => {
  it('proposes each waiting command under its own id, as queued, keeps those that met no quorum, and drops every refused one (the log records it)', async () => {
    const store = new MemoryStore();
    const gateway = new ScriptedGateway();
    const queue = new AsyncCommandQueue(store, gateway, () => true, () => undefined);
    for (const id of ['ok', 'missing', 'bad', 'noquorum']) await queue.enqueue(`k-${id}`, modify(id), actor);
    await queue.enqueue('k-ok', modify('ok'), actor);
    expect(await queue.drainOnce()).toBe(3);
    expect(gateway.options.every((o) => o?.queued === true)).toBe(true);
    expect(gateway.calls.sort()).toEqual(['k-bad', 'k-missing', 'k-noquorum', 'k-ok']);
    expect(await queue.queued('k-ok')).toBeUndefined();
    expect(await queue.queued('k-missing')).toBeUndefined();
    expect(await queue.queued('k-bad')).toBeUndefined();
    expect(await queue.queued('k-noquorum')).toMatchObject({ state: 'waiting' });
    expect(await queue.drainOnce()).toBe(0);
    expect(store.rows.get('k-noquorum')!.attempts).toBe(2);
  });

  it('refuses the same id queued again with another request (422) and takes it again with the same one', async () => {
    const store = new MemoryStore();
    const queue = new AsyncCommandQueue(store, new ScriptedGateway(), () => true, () => undefined);
    await queue.enqueue('k1', modify('ok'), actor);
    await expect(queue.enqueue('k1', modify('ok'), actor)).resolves.toBeUndefined();
    await expect(queue.enqueue('k1', modify('other'), actor)).rejects.toMatchObject({ status: 422 });
    await expect(queue.enqueue('k1', modify('other'), actor)).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(store.rows.get('k1')!.command).toEqual(modify('ok'));
  });

  it('refuses (422) a key whose first command was applied between its two checks, and keeps no row for it', async () => {
    const store = new MemoryStore();
    let looks = 0;
    // The first look finds nothing; by the second the key's first command (another body) is in the log.
    const outcomeOf = async () => (++looks === 1 ? undefined : { requestHash: 'the-first-request' });
    const queue = new AsyncCommandQueue(store, new ScriptedGateway(), () => true, () => undefined, outcomeOf);
    await expect(queue.enqueue('k1', modify('ok'), actor)).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(store.rows.has('k1')).toBe(false);
  });

  it('refuses (422) a key whose first command was drained between its row being found and read, by the outcome the log holds', async () => {
    const store = new MemoryStore();
    let looks = 0;
    // The first look finds nothing; the row is there at the insert, gone (drained, applied) when read.
    const outcomeOf = async () => (++looks === 1 ? undefined : { requestHash: 'the-first-request' });
    await store.enqueue('k1', modify('ok'), actor);
    const drained = Object.assign(store, { get: async () => undefined });
    const queue = new AsyncCommandQueue(drained, new ScriptedGateway(), () => true, () => undefined, outcomeOf);
    await expect(queue.enqueue('k1', modify('ok'), actor)).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('marks refused a queued command whose id the log holds for another request (the log would answer the other one)', async () => {
    const store = new MemoryStore();
    const queue = new AsyncCommandQueue(store, new ScriptedGateway(), () => true, () => undefined);
    await queue.enqueue('k1', { name: 'scores.modify', data: { studentId: 'ok', delta: 1, reason: 'reused' } }, actor);
    expect(await queue.drainOnce()).toBe(1);
    expect(await queue.queued('k1')).toMatchObject({ state: 'refused', refusal: { code: 'rule-broken', message: expect.stringMatching(/Idempotency-Key/) } });
  });

  it('proposes nothing while the node counts on no quorum', async () => {
    const store = new MemoryStore();
    const gateway = new ScriptedGateway();
    let quorum = false;
    const queue = new AsyncCommandQueue(store, gateway, () => quorum, () => undefined);
    await queue.enqueue('k1', modify('ok'), actor);
    queue.start();
    await new Promise((r) => setTimeout(r, 450));
    expect(gateway.calls).toEqual([]);
    quorum = true;
    for (let i = 0; i < 50 && store.rows.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
    await queue.stop();
    expect(gateway.calls).toEqual(['k1']);
  });

  it('queries its store again only after something was queued since it found the queue empty', async () => {
    const store = new MemoryStore();
    let queries = 0;
    const waiting = store.waiting.bind(store);
    store.waiting = async (limit: number) => {
      queries++;
      return waiting(limit);
    };
    const gateway = new ScriptedGateway();
    const queue = new AsyncCommandQueue(store, gateway, () => true, () => undefined);
    expect(await queue.drainOnce()).toBe(0);
    expect(await queue.drainOnce()).toBe(0);
    expect(queries).toBe(1);
    await queue.enqueue('k1', modify('ok'), actor);
    expect(await queue.drainOnce()).toBe(1);
    expect(await queue.drainOnce()).toBe(0);
    expect(await queue.drainOnce()).toBe(0);
    expect(queries).toBe(3);
    expect(gateway.calls).toEqual(['k1']);
  });

  it('reads Prefer: respond-async among other preferences', () => {
    expect(prefersAsync('respond-async')).toBe(true);
    expect(prefersAsync('return=minimal, Respond-Async; wait=5')).toBe(true);
    expect(prefersAsync(['wait=5', 'respond-async'])).toBe(true);
    expect(prefersAsync('return=minimal')).toBe(false);
    expect(prefersAsync(undefined)).toBe(false);
  });
});
