import { type Kysely, sql } from 'kysely';
import type { ReadModelDatabase } from './read-model-database';
import { type ReadModelTable, READ_MODEL_TABLES, TABLE_SCHEMAS, type TableKey } from './read-model-tables';
import { type ReadModelState, emptyReadModelState } from './row-change';
import { rowFromSql } from './sql-values';
import { type TableNames, prefixedTables } from './upsert-writer';

/**
 * Reads whole read-model tables into memory, as projections compute rows, to compare them with
 * `foldReadModels` (tests, `log:verify`-style checks). Reads every row: not for live requests.
 */
export async function dumpReadModels(
  db: Kysely<ReadModelDatabase>,
  tables: readonly ReadModelTable[] = READ_MODEL_TABLES,
  names: TableNames = prefixedTables(''),
): Promise<ReadModelState> {
  const state = emptyReadModelState();
  for (const table of tables) {
    const key = TABLE_SCHEMAS[table].key;
    const { rows } = await sql<
      Record<string, unknown>
    >`SELECT * FROM ${sql.table(names(table))} ORDER BY ${sql.ref(key)}`.execute(db);
    const into = state[table] as Map<TableKey<ReadModelTable>, unknown>;
    for (const row of rows) {
      const parsed = rowFromSql(table, row);
      into.set((parsed as unknown as Record<string, TableKey<ReadModelTable>>)[key], parsed);
    }
  }
  return state;
}
