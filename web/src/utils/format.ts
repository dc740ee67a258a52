/** "+3" / "-2" for a score change. */
export function formatDelta(delta: number): string {
  return delta > 0 ? `+${delta}` : String(delta);
}

/** One formatter per language: building one is costly, and tables format a timestamp per row. */
const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** A timestamp in the user's language, date and minutes. */
export function formatTime(iso: string | null | undefined, language: string): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  let format = timeFormats.get(language);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(language, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    timeFormats.set(language, format);
  }
  return format.format(date);
}

/** Splits "a, b\nc" into ids, dropping blanks and repeats. */
export function parseIdList(text: string): string[] {
  return [...new Set(text.split(/[\s,;，]+/).map((s) => s.trim()).filter((s) => s.length > 0))];
}

/** One line of a batch CSV. */
export interface CsvChange {
  studentId: string;
  delta: number;
}

/** Lines a batch CSV may have at most (the API takes 5,000 students per batch). */
export const CSV_ROWS_MAX = 5_000;

/**
 * Parses "studentId,delta" lines (an optional header line, a UTF-8 BOM, CRLF, blank lines allowed).
 * Answers the changes, or the 1-based number of the first bad line.
 *
 * @example parseBatchCsv('studentId,delta\ns-1,2\ns-2,-1') // { changes: [{studentId:'s-1',delta:2}, …] }
 */
export function parseBatchCsv(text: string): { changes: CsvChange[] } | { badLine: number } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const changes: CsvChange[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const [id, delta, ...rest] = line.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    if (i === 0 && delta !== undefined && !/^[-+]?\d+$/.test(delta)) continue;
    if (!id || delta === undefined || rest.length > 0 || !/^[-+]?\d+$/.test(delta) || Number(delta) === 0) return { badLine: i + 1 };
    changes.push({ studentId: id, delta: Number(delta) });
    if (changes.length > CSV_ROWS_MAX) return { badLine: i + 1 };
  }
  return { changes };
}

/**
 * Score points over time from records (newest first, as the API lists them), oldest first,
 * starting with the score before the oldest record.
 */
export function scoreSeries(records: { at: string; newScore: number; delta: number }[]): [string, number][] {
  const oldestFirst = records.slice().reverse();
  if (oldestFirst.length === 0) return [];
  const first = oldestFirst[0]!;
  return [[first.at, first.newScore - first.delta], ...oldestFirst.map((r): [string, number] => [r.at, r.newScore])];
}
