import { Card } from 'antd';
import { useTranslation } from 'react-i18next';
import { MyApplications } from '@/features/applications/components/my-applications';
import { useRoster } from '@/features/students/api/students';
import { usePageTitle } from './use-page-title';
import { nameLookup } from './name-lookup';

/** The teacher's applications, live. */
export default function TeacherApplicationsRoute() {
  const { t } = useTranslation();
  usePageTitle('nav.teacherApps');
  const roster = useRoster();
  return (
    <Card size="small" title={t('teacher.myApplications')}>
      <MyApplications studentName={nameLookup(roster.data)} />
    </Card>
  );
}
