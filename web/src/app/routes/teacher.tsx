import { Button, Card, Col, Drawer, Grid, Row, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AwardPanel } from '@/features/applications/components/award-panel';
import { useMe } from '@/features/auth/api/session';
import { reasonChoices, useReasons } from '@/features/reasons/api/reasons';
import { TeacherRoster } from '@/features/students/components/teacher-roster';
import { usePageTitle } from './use-page-title';

const NO_CLASSES: readonly string[] = [];

/**
 * Teacher / club portal: the roster of my classes (or the school), select one or many, award or
 * deduct with a reason. On a wide screen the award form stands beside the roster; on a phone the
 * roster comes first, and a bar stuck to the bottom of the screen counts the selection and opens
 * the award form.
 */
export default function TeacherRoute() {
  const { t, i18n } = useTranslation();
  usePageTitle('nav.teacher');
  const me = useMe();
  const reasons = useReasons();
  const [selected, setSelected] = useState<string[]>([]);
  const [awardOpen, setAwardOpen] = useState(false);
  const phone = Grid.useBreakpoint().md === false;
  const roster = (
    <Card size="small" title={t('teacher.roster')}>
      <TeacherRoster myClasses={me.data?.classes ?? NO_CLASSES} selected={selected} onSelect={setSelected} />
    </Card>
  );
  const panel = (onSubmitted: () => void) => (
    <AwardPanel selected={selected} reasons={reasonChoices(reasons.data, i18n.language)} onSubmitted={onSubmitted} />
  );
  if (phone) {
    return (
      <>
        {roster}
        <div className="sticky-actions award-bar" role="region" aria-label={t('nav.teacher')}>
          <Typography.Text strong={selected.length > 0} type={selected.length > 0 ? undefined : 'secondary'}>
            {selected.length > 0 ? t('teacher.selected', { count: selected.length }) : t('teacher.pickStudents')}
          </Typography.Text>
          <Button type="primary" size="large" disabled={selected.length === 0} aria-haspopup="dialog" onClick={() => setAwardOpen(true)}>
            {t('teacher.openAward', { count: selected.length })}
          </Button>
        </div>
        <Drawer placement="bottom" size="auto" open={awardOpen} onClose={() => setAwardOpen(false)} title={t('nav.teacher')} closable={{ 'aria-label': t('app.close') }}>
          {panel(() => {
            setSelected([]);
            setAwardOpen(false);
          })}
        </Drawer>
      </>
    );
  }
  return (
    <Row gutter={[16, 16]}>
      <Col span={14}>{roster}</Col>
      <Col span={10}>
        <div style={{ position: 'sticky', top: 72 }}>{panel(() => setSelected([]))}</div>
      </Col>
    </Row>
  );
}
