import { Card, Col, Row } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryState } from '@/components/query-state';
import { AwardPanel } from '@/features/applications/components/award-panel';
import { reasonChoices, useReasons } from '@/features/reasons/api/reasons';
import { useRoster } from '@/features/students/api/students';
import { RosterTable } from '@/features/students/components/roster-table';
import { usePageTitle } from './use-page-title';

/** Teacher / club portal: the roster, select one or many, award or deduct with a reason. */
export default function TeacherRoute() {
  const { t, i18n } = useTranslation();
  usePageTitle('nav.teacher');
  const roster = useRoster();
  const reasons = useReasons();
  const [selected, setSelected] = useState<string[]>([]);
  return (
    <Row gutter={[16, 16]}>
      <Col xs={{ span: 24, order: 2 }} md={{ span: 14, order: 1 }}>
        <Card size="small" title={t('teacher.roster')}>
          <QueryState isLoading={roster.isLoading} error={roster.error} onRetry={() => void roster.refetch()}>
            <RosterTable students={roster.data ?? []} loading={roster.isFetching && !roster.data} selected={selected} onSelect={setSelected} />
          </QueryState>
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
