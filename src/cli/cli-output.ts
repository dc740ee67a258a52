/** Where a command writes: its result on stdout, progress and errors on stderr. */
export interface CliOutput {
  /** `--json`: one JSON document on stdout instead of text. */
  readonly json: boolean;
  /** Writes the result: `value` as JSON with --json, else the text lines. */
  result(value: unknown, text: () => readonly string[]): void;
  /** A line on stderr (progress, warnings), as JSON with --json. */
  note(value: Record<string, unknown>, text: string): void;
}

/** The CLI's output on the process's streams. */
export function processOutput(json: boolean): CliOutput {
  return {
    json,
    result(value, text) {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text().join('\n')}\n`);
    },
    note(value, text) {
      process.stderr.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);
    },
  };
}

/** Right-pads cells into aligned columns. */
export function table(rows: readonly (readonly (string | number)[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, String(cell).length)));
  return rows.map((row) => row.map((cell, i) => String(cell).padEnd(widths[i])).join('  ').trimEnd());
}
