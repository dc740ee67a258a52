import { Alert, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryState } from '@/components/query-state';
import { useClassRosters, useRoster } from '../api/students';
import { ClassPicker, type RosterScope, classesOfScope, effectiveScope } from './class-picker';
import { RosterTable } from './roster-table';

/**
 * A teacher's or club's roster: it opens on their own classes ("my classes", as an admin assigned
 * them), with a picker for one class, all of them or the whole school; with no class assigned it
 * shows the whole school and says why. Rows are selectable as in RosterTable.
 */
export function TeacherRoster({ myClasses, selected, onSelect }: { myClasses: readonly string[]; selected: string[]; onSelect: (ids: string[]) => void }) {
  const { t } = useTranslation();
  const [picked, setPicked] = useState<RosterScope | null>(null);
  const scope = effectiveScope(picked, myClasses);
  const classes = classesOfScope(scope, myClasses);
  const mine = useClassRosters(classes ?? []);
  const school = useRoster(undefined, classes === null);
  const roster = classes === null ? school : mine;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {myClasses.length === 0 && <Alert type="info" showIcon title={t('teacher.noClassesAssigned')} />}
      <QueryState isLoading={roster.isLoading} error={roster.error} onRetry={() => void roster.refetch()}>
        <RosterTable
          students={roster.data ?? []}
          loading={roster.isFetching && !roster.data}
          selected={selected}
          onSelect={onSelect}
          classFilter={classes === null}
          toolbar={myClasses.length > 0 ? <ClassPicker myClasses={myClasses} value={scope} onChange={setPicked} /> : undefined}
        />
      </QueryState>
    </Space>
  );
}
