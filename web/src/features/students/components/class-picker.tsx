import { Select } from 'antd';
import { useTranslation } from 'react-i18next';

/** Which students a teacher's roster shows: all their classes, one of them, or the whole school. */
export type RosterScope = { kind: 'mine' } | { kind: 'class'; className: string } | { kind: 'school' };

/**
 * Where a teacher's roster opens: their only class, all their classes when they have several,
 * the whole school when they have none.
 */
export function defaultScope(myClasses: readonly string[]): RosterScope {
  if (myClasses.length === 0) return { kind: 'school' };
  return myClasses.length === 1 ? { kind: 'class', className: myClasses[0]! } : { kind: 'mine' };
}

/** `scope` while it still fits the teacher's classes (they may change live), else the default. */
export function effectiveScope(scope: RosterScope | null, myClasses: readonly string[]): RosterScope {
  if (scope === null) return defaultScope(myClasses);
  if (scope.kind === 'school') return scope;
  if (scope.kind === 'mine') return myClasses.length > 1 ? scope : defaultScope(myClasses);
  return myClasses.includes(scope.className) ? scope : defaultScope(myClasses);
}

/** The classes whose students a scope shows, or null for the whole school. */
export function classesOfScope(scope: RosterScope, myClasses: readonly string[]): readonly string[] | null {
  if (scope.kind === 'school') return null;
  return scope.kind === 'mine' ? myClasses : [scope.className];
}

// Select values: a class name may be any text, so it never stands alone as a value.
const valueOf = (scope: RosterScope) => (scope.kind === 'class' ? `class:${scope.className}` : scope.kind);
const scopeOf = (value: string): RosterScope => (value.startsWith('class:') ? { kind: 'class', className: value.slice('class:'.length) } : { kind: value as 'mine' | 'school' });

/**
 * The teacher's class picker: each of their classes, all of them together (when they have
 * several), and the whole school (teachers may read and award any student, so searching the
 * school stays one choice away).
 */
export function ClassPicker({ myClasses, value, onChange }: { myClasses: readonly string[]; value: RosterScope; onChange: (scope: RosterScope) => void }) {
  const { t } = useTranslation();
  const options = [
    ...(myClasses.length > 1 ? [{ value: 'mine', label: t('teacher.allMyClasses', { count: myClasses.length }) }] : []),
    ...myClasses.map((className) => ({ value: `class:${className}`, label: className })),
    { value: 'school', label: t('teacher.wholeSchool') },
  ];
  return (
    <Select
      aria-label={t('teacher.scope')}
      value={valueOf(value)}
      onChange={(v: string) => onChange(scopeOf(v))}
      options={options}
      style={{ minWidth: 140 }}
      popupMatchSelectWidth={false}
    />
  );
}
