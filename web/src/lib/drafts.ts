import { useCallback, useState } from 'react';

/** Drafts live in sessionStorage under this prefix: they survive a re-login, not the tab. */
const DRAFT_PREFIX = 'draft:';
/** The largest draft kept, in characters of JSON; a bigger one is not saved. */
export const DRAFT_CHARS_MAX = 64_000;

/** Reads a saved draft, or undefined. */
export function readDraft<T>(key: string): T | undefined {
  try {
    const text = sessionStorage.getItem(DRAFT_PREFIX + key);
    return text === null ? undefined : (JSON.parse(text) as T);
  } catch {
    return undefined;
  }
}

/** Saves a draft (skipped when too big or storage is unavailable). */
export function saveDraft(key: string, value: unknown): void {
  try {
    const text = JSON.stringify(value);
    if (text.length <= DRAFT_CHARS_MAX) sessionStorage.setItem(DRAFT_PREFIX + key, text);
  } catch {
    // Storage full or disabled: the form still works, only without a draft.
  }
}

/** Forgets a draft (after a successful submit). */
export function clearDraft(key: string): void {
  try {
    sessionStorage.removeItem(DRAFT_PREFIX + key);
  } catch {
    // nothing kept, nothing to clear
  }
}

/**
 * A form's draft: its initial values (restored after an expired session sent the user to log in
 * again), a saver for antd's `onValuesChange`, and a clear for after the submit.
 */
export function useDraft<T extends object>(key: string, defaults: T) {
  const [initial] = useState<T>(() => ({ ...defaults, ...(readDraft<Partial<T>>(key) ?? {}) }));
  const save = useCallback((_: unknown, all: T) => saveDraft(key, all), [key]);
  const clear = useCallback(() => clearDraft(key), [key]);
  return { initial, save, clear };
}
