import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** The CSV export URL of a class's (or every) student's scores. */
export function classScoresCsvUrl(className: string): string {
  const c = className.trim();
  return c === '' ? '/api/students.csv' : `/api/students.csv?className=${encodeURIComponent(c)}`;
}

/** The CSV export URL of a student's records. */
export function studentRecordsCsvUrl(studentId: string): string {
  return `/api/students/${encodeURIComponent(studentId.trim())}/records.csv`;
}

/** Download links of the CSV exports (same-origin GETs: the session cookie goes along). */
export function CsvExports() {
  const { t } = useTranslation();
  const [className, setClassName] = useState('');
  const [studentId, setStudentId] = useState('');
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary">{t('exports.help')}</Typography.Paragraph>
      <Card size="small" title={t('exports.classScores')}>
        <Form layout="inline" style={{ rowGap: 8 }}>
          <Form.Item label={t('fields.className')} htmlFor="export-class">
            <Input id="export-class" value={className} onChange={(e) => setClassName(e.target.value)} style={{ width: 120 }} />
          </Form.Item>
          <Button icon={<DownloadOutlined aria-hidden />} href={classScoresCsvUrl(className)} download>
            {className.trim() === '' ? t('exports.allScores') : t('exports.download')}
          </Button>
        </Form>
      </Card>
      <Card size="small" title={t('exports.studentRecords')}>
        <Form layout="inline" style={{ rowGap: 8 }}>
          <Form.Item label={t('fields.studentId')} htmlFor="export-student">
            <Input id="export-student" value={studentId} onChange={(e) => setStudentId(e.target.value)} style={{ width: 120 }} />
          </Form.Item>
          <Button icon={<DownloadOutlined aria-hidden />} href={studentId.trim() ? studentRecordsCsvUrl(studentId) : undefined} disabled={studentId.trim() === ''} download>
            {t('exports.download')}
          </Button>
        </Form>
      </Card>
    </Space>
  );
}
