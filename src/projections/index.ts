/**
 * Read models: per model a pure event -> row changes projection and a repository of reads; the
 * projector that applies the log to them with its checkpoint in one transaction per batch.
 *
 * @example
 * const db = readModelDb(kysely);
 * const projector = new Projector(db, READ_MODELS, { onError });
 * void projector.run();
 * eventStore.onWritten(() => projector.notify(eventStore.writtenHead));
 * await projector.waitFor(minPosition, 2000);
 * const student = await new StudentsRepository(db).getStudent('s-1');
 */
export * from './applications/applications-projection';
export * from './applications/applications-repository';
export * from './archives/archives-projection';
export * from './archives/archives-repository';
export * from './checkpoint-store';
export * from './event-reader';
export * from './logged-event';
export * from './paging';
export * from './position-waiters';
export * from './projection';
export * from './projection-batch';
export * from './projection-errors';
export * from './projector';
export * from './read-model-database';
export * from './read-model-dump';
export * from './read-model-fold';
export * from './read-model-tables';
export * from './read-models';
export * from './row-change';
export * from './score-records/score-records-projection';
export * from './score-records/score-records-repository';
export * from './sql-values';
export * from './students/students-projection';
export * from './students/students-repository';
export * from './upsert-writer';
export * from './users/users-projection';
export * from './users/users-repository';
export * from './projection-status';
export * from './reasons/reasons-projection';
export * from './reasons/reasons-repository';
export * from './stats/student-daily-scores-projection';
export * from './stats/stats-repository';
export * from './rebuild/projection-rebuild';
export * from './rebuild/shadow-tables';
