import { Card, Col, Row } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AwardPanel } from '@/features/applications/components/award-panel';
import { useMe } from '@/features/auth/api/session';
import { reasonChoices, useReasons } from '@/features/reasons/api/reasons';
import { TeacherRoster } from '@/features/students/components/teacher-roster';
import { usePageTitle } from './use-page-title';

const NO_CLASSES: readonly string[] = [];

/** Teacher / club portal: the roster of my classes (or the school), select one or many, award or deduct with a reason. */
export default function TeacherRoute() {
  const { t, i18n } = useTranslation();
  usePageTitle('nav.teacher');
  const me = useMe();
  const reasons = useReasons();
  const [selected, setSelected] = useState<string[]>([]);
  return (
    <Row gutter={[16, 16]}>
      <Col xs={{ span: 24, order: 2 }} md={{ span: 14, order: 1 }}>
        <Card size="small" title={t('teacher.roster')}>
          <TeacherRoster myClasses={me.data?.classes ?? NO_CLASSES} selected={selected} onSelect={setSelected} />
        </Card>
      </Col>
      <Col xs={{ span: 24, order: 1 }} md={{ span: 10, order: 2 }}>
        <div style={{ position: 'sticky', top: 72 }}>
          <AwardPanel selected={selected} reasons={reasonChoices(reasons.data, i18n.language)} onSubmitted={() => setSelected([])} />
        </div>
      </Col>
    </Row>
  );
}
