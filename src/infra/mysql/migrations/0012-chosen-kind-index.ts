import { sql, type Kysely } from 'kysely';

/**
 * An index on the first characters of each chosen value, so that a start finds the membership
 * changes of the chosen log (values beginning `{"kind":"config"`) without reading every slot:
 * on a log of millions of slots that scan took longer than the rest of the start.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX paxos_chosen_kind ON paxos_chosen (value(10))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX paxos_chosen_kind ON paxos_chosen`.execute(db);
}
