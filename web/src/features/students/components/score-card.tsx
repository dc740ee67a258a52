import { Card, Statistic, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Student } from '@/lib/api/types';

/** The student's score, large. */
export function ScoreCard({ student }: { student: Student }) {
  const { t } = useTranslation();
  return (
    <Card>
      <Typography.Text type="secondary">
        {student.name} · {t('student.className', { className: student.className })}
      </Typography.Text>
      <Statistic title={t('student.myScore')} value={student.score} styles={{ content: { fontSize: 56, fontWeight: 600 } }} />
      {student.frozen && <Tag color="blue">{t('fields.frozen')}</Tag>}
    </Card>
  );
}
