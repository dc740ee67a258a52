import { MESSAGE_TYPES } from '../../src/consensus/messages';
import { sleep } from '../../src/bench/poll';
import {
  type AppendClient,
  E2eCluster,
  type LogRow,
  checkLogs,
  randomToken,
  report,
  retryPolicy,
} from './cluster-harness';

/**
 * Garbage on the protocol subjects `paxos.<cluster>.<from>.<to>.<type>` of a running cluster:
 * every node must stay up, no log may change but for the appends the test makes afterwards,
 * and appends must still succeed.
 */
const SETTLE_MS = 1500;
const APPENDS_AFTER = 20;

describe('garbage on the protocol subjects', () => {
  let cluster: E2eCluster;
  let client: AppendClient;
  const token = randomToken();
  const acked = new Set<string>();

  beforeAll(async () => {
    cluster = await E2eCluster.start({ label: 'garbage' });
    await cluster.waitForLeader();
    client = await cluster.appendClient();
    for (let i = 0; i < 10; i++) await appendOk(`seed-${token}-${i}`);
    await cluster.waitForConvergence(10_000);
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  async function appendOk(key: string): Promise<void> {
    acked.add(
      (await client.appendUntilOk(key, { stream: 'g', data: { key } }, retryPolicy({ deadlineMs: 10_000 }))).ack
        .commandId,
    );
  }

  function subject(from: string, to: string, type: string, cluster_ = cluster.clusterName): string {
    return `paxos.${cluster_}.${from}.${to}.${type}`;
  }

  function total(counts: Map<string, number> | null): number {
    return counts === null ? 0 : [...counts.values()].reduce((a, b) => a + b, 0);
  }

  async function promiseNote(id: string): Promise<string> {
    const promise = await cluster.db.promise(id).catch(() => null);
    return `durable promise ${promise ? `${promise.round}.${promise.nodeId}` : 'none'}`;
  }

  /** Every (from, to) pair of distinct members. */
  function pairs(): [string, string][] {
    return cluster.ids.flatMap((to) =>
      cluster.ids.filter((from) => from !== to).map((from): [string, string] => [from, to]),
    );
  }

  /**
   * Publishes `garbage`, lets the cluster settle, then checks: all nodes up, logs unchanged,
   * appends succeed, logs equal again and grown by exactly those appends.
   */
  async function survives(label: string, publishGarbage: () => Promise<number>, expectDrops = false): Promise<void> {
    await cluster.waitForConvergence(10_000);
    const before = new Map<string, LogRow[]>();
    const droppedBefore = new Map<string, number>();
    for (const id of cluster.ids) {
      before.set(id, await cluster.db.eventLog(id));
      droppedBefore.set(id, total(await cluster.droppedMessages(id)));
    }
    const sent = await publishGarbage();
    await client.flush();
    await sleep(SETTLE_MS);

    const problems: string[] = [];
    const dropped: Record<string, number | string> = {};
    for (const id of cluster.ids) {
      const now = await cluster.droppedMessages(id);
      dropped[id] = now === null ? 'unreachable' : total(now) - droppedBefore.get(id)!;
    }
    for (const id of cluster.ids) {
      if (expectDrops && !(typeof dropped[id] === 'number' && (dropped[id] as number) > 0))
        problems.push(`${id} counted no dropped message: did the garbage reach it?`);
      if (!cluster.isAlive(id)) problems.push(`${id} is not running after the garbage`);
      else if ((await cluster.live(id)) !== 200) problems.push(`${id} does not answer /health/live`);
      const log = await cluster.db.eventLog(id);
      if (JSON.stringify(log) !== JSON.stringify(before.get(id)))
        problems.push(`${id}: event_log changed by the garbage (${before.get(id)!.length} -> ${log.length} rows)`);
    }
    // A crashed node is restarted so the appends below can check the rest; it still fails the test.
    for (const id of cluster.ids) {
      if (cluster.isAlive(id)) continue;
      try {
        await cluster.restart(id);
      } catch (error) {
        problems.push(`${id} cannot be restarted: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (problems.some((p) => p.includes('cannot be restarted'))) expect(problems).toEqual([]);

    const started = performance.now();
    const mine: string[] = [];
    let appendMs = NaN;
    try {
      for (let i = 0; i < APPENDS_AFTER; i++) {
        const key = `after-${label}-${token}-${i}`;
        await appendOk(key);
        mine.push(key);
      }
      appendMs = performance.now() - started;
      await cluster.waitForConvergence(15_000);
      const { logs } = await checkLogs(cluster, acked);
      for (const [id, log] of logs) {
        const old = before.get(id)!;
        const prefixKept = JSON.stringify(log.slice(0, old.length)) === JSON.stringify(old);
        const added = log.slice(old.length).map((r) => r.command_id);
        if (!prefixKept || JSON.stringify(added) !== JSON.stringify(mine))
          problems.push(
            `${id}: log is not the old log plus the test's ${mine.length} appends (added ${JSON.stringify(added.slice(0, 5))}...)`,
          );
      }
    } catch (error) {
      problems.push(
        `after the garbage: ${error instanceof Error ? error.message.replace(/\s+/g, ' ').slice(0, 600) : String(error)}`,
      );
    }
    for (const id of cluster.ids)
      if (!cluster.isAlive(id)) problems.push(`${id} is down at the end (${await promiseNote(id)})`);
    const statuses = await cluster.statuses();
    report(
      `garbage (${label}): ${sent} messages, dropped as malformed by the nodes: ${JSON.stringify(dropped)}; then ${mine.length}/${APPENDS_AFTER} appends in ${Math.round(appendMs)} ms; ` +
        `roles ${JSON.stringify(Object.fromEntries([...statuses].map(([id, s]) => [id, `${s.role} ${s.ballot}`])))}`,
    );
    expect(problems).toEqual([]);
  }

  it(
    'malformed messages: bad JSON, wrong types, huge payloads, unknown senders and types',
    () =>
      cluster.diagnose(() =>
        survives(
          'malformed',
          async () => {
            let sent = 0;
            const pub = (s: string, data: Uint8Array | string) => {
              client.publish(s, data);
              sent++;
            };
            const goodBallot = (nodeId: string) => ({ round: 1, nodeId });
            const bodies: (string | Uint8Array)[] = [
              '',
              'not json {',
              Uint8Array.from([0xff, 0xfe, 0xfd, 0x00, 0x80]),
              'null',
              '[1,2,3]',
              '"Phase2b"',
              '42',
              '{}',
              '{"type":"Phase2b"}',
              '{"type":"Phase2b","ballot":{"round":"1","nodeId":"n1"},"slot":1}',
              '{"type":"Phase2b","ballot":{"round":-1,"nodeId":"n1"},"slot":0}',
              '{"type":"Phase2b","ballot":{"round":1.5,"nodeId":"nobody"},"slot":1e300}',
              '{"type":"Phase2b","ballot":{"round":1,"nodeId":"n1","extra":true},"slot":1}',
              '{"type":"Commit","ballot":null,"chosenWatermark":-5}',
              '{"type":"Heartbeat","ballot":[1,"n1"],"chosenWatermark":"9"}',
              '{"type":"Phase1a","ballot":{"round":1e400,"nodeId":"n1"},"fromSlot":1}',
              '{"type":"Propose","values":[{"id":"","payload":1}]}',
              '{"type":"CatchupReply","entries":"all","chosenWatermark":1}',
              '{"type":"__proto__","constructor":{"prototype":{"polluted":true}}}',
            ];
            const types = MESSAGE_TYPES;
            for (const [from, to] of pairs()) {
              for (const type of types) for (const body of bodies) pub(subject(from, to, type), body);
              // The body's type does not match the subject's; an extra key; a valid body from a non-member or from the recipient itself.
              pub(
                subject(from, to, 'Phase2b'),
                JSON.stringify({ type: 'Commit', ballot: goodBallot(from), chosenWatermark: 1 }),
              );
              pub(
                subject(from, to, 'Commit'),
                JSON.stringify({ type: 'Commit', ballot: goodBallot(from), chosenWatermark: 1, extra: 1 }),
              );
              pub(
                subject('intruder', to, 'Commit'),
                JSON.stringify({ type: 'Commit', ballot: goodBallot('intruder'), chosenWatermark: 1_000_000 }),
              );
              pub(
                subject(to, to, 'Commit'),
                JSON.stringify({ type: 'Commit', ballot: { round: 1e12, nodeId: to }, chosenWatermark: 1_000_000 }),
              );
              pub(subject(from, to, 'Bogus'), JSON.stringify({ type: 'Bogus' }));
              pub(
                `${subject(from, to, 'Commit')}.extra`,
                JSON.stringify({ type: 'Commit', ballot: goodBallot(from), chosenWatermark: 1_000_000 }),
              );
              pub(
                subject(from, to, 'Commit', `${cluster.clusterName}x`),
                JSON.stringify({ type: 'Commit', ballot: goodBallot(from), chosenWatermark: 1_000_000 }),
              );
              // Huge: just under the NATS max_payload (1 MiB), over the nodes' 1,000,000-byte limit.
              pub(subject(from, to, 'Phase2a'), `{"type":"Phase2a","pad":"${'x'.repeat(1_040_000)}"}`);
              // Huge and parsed (under the limit) but refused: thousands of client values, the last with a too-long id.
              const values = Array.from({ length: 5500 }, (_, i) => ({
                id: i === 5499 ? 'i'.repeat(129) : `v${i}`,
                payload: 'p'.repeat(140),
              }));
              const parsedHuge = JSON.stringify({
                type: 'Phase2a',
                ballot: goodBallot(from),
                slot: 1,
                value: { kind: 'batch', values },
                chosenWatermark: 0,
              });
              expect(parsedHuge.length).toBeGreaterThan(900_000);
              expect(parsedHuge.length).toBeLessThan(1_000_000);
              pub(subject(from, to, 'Phase2a'), parsedHuge);
              // Deeply nested JSON.
              pub(subject(from, to, 'Phase1b'), `${'['.repeat(50_000)}${']'.repeat(50_000)}`);
            }
            return sent;
          },
          true,
        ),
      ),
    90_000,
  );

  it(
    'forged Phase2b, Commit and Heartbeat from members with a huge ballot (round 1e12) and a watermark far ahead',
    () => cluster.diagnose(() => survives('forged-1e12', async () => forge(1e12))),
    90_000,
  );

  it(
    'forged Phase2b, Commit and Heartbeat from members with the largest ballot round (2^53-1)',
    () => cluster.diagnose(() => survives('forged-max-round', async () => forge(Number.MAX_SAFE_INTEGER))),
    90_000,
  );

  // Not in the list of the brief but the same hole as above, and worse: the acceptor persists the
  // promise, so the node fails again at every restart.
  it(
    'a forged Phase1a from a member with the largest ballot round (2^53-1)',
    () =>
      cluster.diagnose(() =>
        survives('forged-phase1a-max-round', async () => {
          const leader = await cluster.waitForLeader(10_000);
          const from = cluster.ids.find((id) => id !== leader)!;
          const ballot = { round: Number.MAX_SAFE_INTEGER, nodeId: from };
          client.publish(subject(from, leader, 'Phase1a'), JSON.stringify({ type: 'Phase1a', ballot, fromSlot: 1 }));
          return 1;
        }),
      ),
    90_000,
  );

  /** From every member to every other: Phase2b votes, Commits and Heartbeats of a ballot of `round`. */
  async function forge(round: number): Promise<number> {
    const statuses = await cluster.statuses();
    const chosen = Math.max(...[...statuses.values()].map((s) => s.chosenSlot));
    let sent = 0;
    for (const [from, to] of pairs()) {
      const ballot = { round, nodeId: from };
      for (const slot of [Math.max(1, chosen - 1), chosen + 1, chosen + 2, chosen + 1000]) {
        client.publish(subject(from, to, 'Phase2b'), JSON.stringify({ type: 'Phase2b', ballot, slot }));
        sent++;
      }
      for (const chosenWatermark of [chosen + 1, chosen + 1_000_000, Number.MAX_SAFE_INTEGER]) {
        client.publish(subject(from, to, 'Commit'), JSON.stringify({ type: 'Commit', ballot, chosenWatermark }));
        client.publish(subject(from, to, 'Heartbeat'), JSON.stringify({ type: 'Heartbeat', ballot, chosenWatermark }));
        sent += 2;
      }
    }
    return sent;
  }
});
