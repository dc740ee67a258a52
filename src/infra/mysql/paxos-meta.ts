import { sql, type Kysely } from 'kysely';
import type { Database } from './database';
import { readSafeInteger } from './safe-integer';

/**
 * Reads the named counter from `paxos_meta`; pass a transaction to read inside it.
 *
 * @returns undefined when it was never written.
 */
export async function readMeta(db: Kysely<Database>, name: string): Promise<number | undefined> {
  const row = await db.selectFrom('paxos_meta').select('value').where('name', '=', name).executeTakeFirst();
  return row === undefined ? undefined : readSafeInteger(row.value, `paxos_meta.${name}`);
}

/**
 * Raises the named counter to `value`, never lowering it: these counters only move forward,
 * and two writers racing must not move one back.
 */
export async function raiseMeta(db: Kysely<Database>, name: string, value: number): Promise<void> {
  await db
    .insertInto('paxos_meta')
    .values({ name, value })
    .onDuplicateKeyUpdate({ value: sql<number>`GREATEST(value, VALUES(value))` })
    .execute();
}
