import { Input, Select, Space, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { type ReactNode, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Student } from '@/lib/api/types';

/** Narrows students by a search over name and id (case-insensitive). */
export function searchStudents(students: Student[], query: string): Student[] {
  const q = query.trim().toLowerCase();
  if (q === '') return students;
  return students.filter((s) => s.name.toLowerCase().includes(q) || s.studentId.toLowerCase().includes(q));
}

/** The distinct class names, sorted. */
export function classNamesOf(students: Student[]): string[] {
  return [...new Set(students.map((s) => s.className))].sort();
}

/**
 * A roster with a class filter (unless `classFilter` is false) and a search; rows selectable (one
 * or many) when `onSelect` is given. Extra columns (e.g. an admin's actions) and controls before
 * the search (`toolbar`, e.g. a teacher's class picker) come from the caller.
 */
export function RosterTable({
  students,
  loading,
  selected,
  onSelect,
  extraColumns = [],
  classFilter = true,
  toolbar,
}: {
  students: Student[];
  loading: boolean;
  selected?: string[];
  onSelect?: (ids: string[]) => void;
  extraColumns?: ColumnsType<Student>;
  classFilter?: boolean;
  toolbar?: ReactNode;
}) {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const [className, setClassName] = useState<string>('');
  const classes = useMemo(() => classNamesOf(students), [students]);
  // A class picked here that the students no longer include (another scope) filters nothing.
  const filterBy = classFilter && classes.includes(className) ? className : '';
  const shown = useMemo(() => searchStudents(filterBy === '' ? students : students.filter((s) => s.className === filterBy), query), [students, filterBy, query]);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap>
        {toolbar}
        {classFilter && (
          <Select
            aria-label={t('teacher.classFilter')}
            value={filterBy}
            onChange={setClassName}
            style={{ minWidth: 120 }}
            options={[{ value: '', label: t('teacher.allClasses') }, ...classes.map((c) => ({ value: c, label: c }))]}
          />
        )}
        <Input.Search aria-label={t('app.search')} placeholder={t('teacher.searchPlaceholder')} allowClear onChange={(e) => setQuery(e.target.value)} style={{ width: 220 }} />
      </Space>
      <Table<Student>
        rowKey="studentId"
        size="small"
        loading={loading}
        dataSource={shown}
        pagination={{ pageSize: 50, showSizeChanger: false, hideOnSinglePage: true }}
        scroll={{ x: extraColumns.length > 0 ? 640 : undefined }}
        rowSelection={
          onSelect
            ? {
                selectedRowKeys: selected,
                onChange: (keys) => onSelect(keys.map(String)),
                getCheckboxProps: (s) => ({ 'aria-label': t('teacher.select', { name: s.name }) }),
                columnTitle: undefined,
              }
            : undefined
        }
        onRow={
          onSelect && selected
            ? (s) => ({
                onClick: (e) => {
                  if ((e.target as HTMLElement).closest('button, a, input, .ant-checkbox-wrapper')) return;
                  onSelect(selected.includes(s.studentId) ? selected.filter((id) => id !== s.studentId) : [...selected, s.studentId]);
                },
              })
            : undefined
        }
        columns={[
          { title: t('fields.name'), dataIndex: 'name', sorter: (a, b) => a.name.localeCompare(b.name) },
          { title: t('fields.studentId'), dataIndex: 'studentId', responsive: ['sm'] },
          { title: t('fields.className'), dataIndex: 'className', responsive: ['md'] },
          {
            title: t('fields.score'),
            dataIndex: 'score',
            width: 80,
            sorter: (a, b) => a.score - b.score,
            render: (score: number, s) => (
              <Space size={4}>
                {score}
                {s.frozen && <Tag color="blue">{t('fields.frozen')}</Tag>}
              </Space>
            ),
          },
          ...extraColumns,
        ]}
      />
    </Space>
  );
}
