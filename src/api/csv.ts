/** The UTF-8 byte order mark: spreadsheet programs in Chinese locales then read the file as UTF-8. */
export const CSV_BOM = '\uFEFF';

/** First characters that make a spreadsheet read a cell as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break (quotes doubled);
 * text that a spreadsheet would run as a formula gets a leading `'`. Numbers are written as they are.
 *
 * @example csvCell('a,b') // '"a,b"'
 * @example csvCell('=1+1') // "'=1+1"
 * @example csvCell(-5) // '-5'
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line, CRLF-terminated. */
export function csvLine(values: readonly (string | number | boolean | null | undefined)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
