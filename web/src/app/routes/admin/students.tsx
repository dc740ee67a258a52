import { Card, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { QueryState } from '@/components/query-state';
import { reasonChoices, useReasons } from '@/features/reasons/api/reasons';
import { useRoster } from '@/features/students/api/students';
import { RegisterStudentForm } from '@/features/students/components/register-student-form';
import { RosterTable } from '@/features/students/components/roster-table';
import { StudentAdminActions } from '@/features/students/components/student-admin-actions';
import { usePageTitle } from '../use-page-title';

/** Students: register, correct details, freeze/unfreeze, modify a score. */
export default function AdminStudentsRoute() {
  const { t, i18n } = useTranslation();
  usePageTitle('nav.students');
  const roster = useRoster();
  const reasons = reasonChoices(useReasons().data, i18n.language);
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <RegisterStudentForm />
      <Card size="small" title={t('nav.students')}>
        <QueryState isLoading={roster.isLoading} error={roster.error} onRetry={() => void roster.refetch()}>
          <RosterTable
            students={roster.data ?? []}
            loading={roster.isFetching && !roster.data}
            extraColumns={[{ title: t('app.actions'), key: 'actions', render: (_, s) => <StudentAdminActions student={s} reasons={reasons} /> }]}
          />
        </QueryState>
      </Card>
    </Space>
  );
}
