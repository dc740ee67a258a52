import { Alert, Button, Form, Input, Space, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useArchivedStudent } from '../api/archives';

/** Looks up a student's score in an archived semester; `studentId` fixed for a student's own. */
export function ArchivedLookup({ studentId, semesters = [] }: { studentId?: string; semesters?: string[] }) {
  const { t } = useTranslation();
  const [query, setQuery] = useState<{ semester: string; studentId?: string } | null>(null);
  const found = useArchivedStudent(query?.semester ?? null, query?.studentId ?? studentId);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {semesters.length > 0 && (
        <Space wrap>
          {semesters.map((s) => (
            <Tag.CheckableTag key={s} checked={query?.semester === s} onChange={() => setQuery({ semester: s, studentId })}>
              {s}
            </Tag.CheckableTag>
          ))}
        </Space>
      )}
      <Form layout="inline" onFinish={(v: { semester: string; studentId?: string }) => setQuery({ semester: v.semester.trim(), studentId: studentId ?? v.studentId?.trim() })} style={{ rowGap: 8 }}>
        <Form.Item name="semester" label={t('student.semester')} rules={[{ required: true }]}>
          <Input style={{ width: 140 }} placeholder="2026-fall" />
        </Form.Item>
        {studentId === undefined && (
          <Form.Item name="studentId" label={t('fields.studentId')} rules={[{ required: true }]}>
            <Input style={{ width: 120 }} />
          </Form.Item>
        )}
        <Button htmlType="submit">{t('student.lookup')}</Button>
      </Form>
      {found.data && <Alert type="success" title={t('student.archivedScore', { semester: found.data.semester, score: found.data.score })} description={`${found.data.name} · ${found.data.className}`} />}
      {found.error && <Alert type="info" title={t('student.notArchived')} />}
    </Space>
  );
}
