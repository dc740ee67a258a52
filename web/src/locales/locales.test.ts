import { expect, it } from 'vitest';
import { en } from './en';
import { zhCN } from './zh-CN';

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

it('gives every English string a Chinese one, and no Chinese string is left empty', () => {
  expect(keys(zhCN).sort()).toEqual(keys(en).sort());
  for (const key of keys(zhCN)) {
    const value = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], zhCN);
    expect(String(value).length, key).toBeGreaterThan(0);
  }
});
