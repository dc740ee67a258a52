import { expect, it } from 'vitest';
import type { Reason } from '@/lib/api/types';
import { reasonText } from './reasons';

const helped: Reason = {
  code: 'helped',
  labelZh: '帮助同学',
  labelEn: 'Helped a classmate',
  defaultDelta: 2,
  polarity: 'positive',
  active: true,
  updatedAt: '2026-01-01T00:00:00Z',
  position: 3,
};

it("reads a catalogue reason in the reader's language, whichever language it was submitted in", () => {
  expect(reasonText({ reason: '帮助同学', reasonCode: 'helped' }, [helped], 'en')).toBe('Helped a classmate');
  expect(reasonText({ reason: 'Helped a classmate', reasonCode: 'helped' }, [helped], 'zh-CN')).toBe('帮助同学');
  expect(reasonText({ reason: '帮助同学', reasonCode: 'helped' }, [helped], 'zh-CN')).toBe('帮助同学');
});

it("keeps the submitter's own words after the label, and the stored reason when there is no code or no such reason", () => {
  expect(reasonText({ reason: 'carried the books', reasonCode: 'helped' }, [helped], 'en')).toBe('Helped a classmate: carried the books');
  expect(reasonText({ reason: '课堂积极发言', reasonCode: null }, [helped], 'en')).toBe('课堂积极发言');
  expect(reasonText({ reason: '帮助同学', reasonCode: 'gone' }, [helped], 'en')).toBe('帮助同学');
  // The catalogue not loaded (yet), or not readable: the stored reason.
  expect(reasonText({ reason: '帮助同学', reasonCode: 'helped' }, undefined, 'en')).toBe('帮助同学');
});
