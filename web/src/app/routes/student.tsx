import { Card, Col, Result, Row } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryState } from '@/components/query-state';
import { ArchivedLookup } from '@/features/archives/components/archived-lookup';
import { semestersFromRecords } from '@/features/archives/api/archives';
import { useMe } from '@/features/auth/api/session';
import { useRecords, useScoreHistory, useStudent } from '@/features/students/api/students';
import { RecordsTable } from '@/features/students/components/records-table';
import { ScoreCard } from '@/features/students/components/score-card';
import { ScoreChart } from '@/features/students/components/score-chart';
import { usePageTitle } from './use-page-title';

/** Student portal: my score (large), its chart, my records, archived semesters. */
export default function StudentRoute() {
  const { t } = useTranslation();
  usePageTitle('nav.student');
  const me = useMe();
  const studentId = me.data?.studentId ?? undefined;
  const student = useStudent(studentId);
  const history = useScoreHistory(studentId);
  const [page, setPage] = useState(1);
  const records = useRecords(studentId, page);
  const semesters = useMemo(() => semestersFromRecords(records.data?.items ?? []), [records.data]);
  if (studentId === undefined) return <Result status="info" title={t('student.noStudent')} />;
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} md={8}>
        <QueryState isLoading={student.isLoading} error={student.error} onRetry={() => void student.refetch()}>
          {student.data && <ScoreCard student={student.data} />}
        </QueryState>
      </Col>
      <Col xs={24} md={16}>
        <Card size="small" title={t('student.chart')}>
          <QueryState isLoading={history.isLoading} error={history.error}>
            <ScoreChart points={history.data ?? []} label={t('student.chart')} />
          </QueryState>
        </Card>
      </Col>
      <Col xs={24}>
        <Card size="small" title={t('student.records')}>
          <RecordsTable page={records.data} loading={records.isFetching && !records.data} onPage={setPage} />
        </Card>
      </Col>
      <Col xs={24}>
        <Card size="small" title={t('student.archives')}>
          <ArchivedLookup studentId={studentId} semesters={semesters} />
        </Card>
      </Col>
    </Row>
  );
}
