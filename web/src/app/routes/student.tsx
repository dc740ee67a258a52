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
import { scoreSeries } from '@/utils/format';
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
  // The full history when the node serves it; else the points of the records at hand.
  const points = useMemo(() => {
    if (history.data && history.data.length >= 2) return history.data;
    const now = student.data ? [{ at: student.data.updatedAt, score: student.data.score }] : [];
    const items = records.data?.items ?? [];
    return items.length === 0 ? now : scoreSeries(items).map(([at, score]) => ({ at, score }));
  }, [history.data, records.data, student.data]);
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
          <QueryState isLoading={history.isLoading && records.isLoading} error={null}>
            <ScoreChart points={points} label={t('student.chart')} />
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
