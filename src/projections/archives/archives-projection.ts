import { ARCHIVE_STREAM, type ArchiveEvent } from '../../sagas/saga-events';
import { unreachable } from '../../shared/assert';
import { type Logged, type LoggedEvent, eventTime } from '../logged-event';
import type { Projection } from '../projection';
import { type RowChange, rowChange } from '../row-change';

/**
 * The row changes of one archive event (pure): the archive's row (every event sets its header,
 * so the row is whole whichever event comes first) and, for a snapshot, one row per student.
 */
export function archiveChanges(event: Logged<ArchiveEvent>): RowChange[] {
  const { archiveId, semester, className, at } = event.data;
  const header = { semester, class_name: className, updated_at: eventTime(at), position: event.position };
  switch (event.type) {
    case 'ArchiveSnapshotTaken':
      return [
        rowChange('archives', archiveId, { ...header, status: 'pending' }),
        ...event.data.students.map((s) =>
          rowChange('archive_students', `${archiveId}/${s.studentId}`, {
            archive_id: archiveId,
            semester,
            student_id: s.studentId,
            name: s.name,
            class_name: s.className,
            score: s.score,
            position: event.position,
          }),
        ),
      ];
    case 'ArchiveCompleted':
      return [rowChange('archives', archiveId, { ...header, status: 'completed', student_count: event.data.studentCount })];
    case 'ArchiveDiscarded':
      return [rowChange('archives', archiveId, { ...header, status: 'discarded' })];
    default:
      return unreachable(event, 'archive event');
  }
}

/** `archives` and `archive_students`: semester archives and their per-student snapshots. */
export const ARCHIVES_PROJECTION: Projection = {
  name: 'archives',
  tables: ['archives', 'archive_students'],
  streamTypes: [ARCHIVE_STREAM],
  project: (event: LoggedEvent) => archiveChanges(event as Logged<ArchiveEvent>),
};
