import { App, Button, Form, Input, InputNumber, Modal, Select, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isQueued } from '@/lib/api/client';
import type { Student } from '@/lib/api/types';
import { useStudentWrites } from '../api/students';

/** A reason the admin may pick for a direct modification. */
export interface ReasonChoice {
  code: string;
  label: string;
  defaultDelta: number;
}

/** Per-student admin actions: correct details, freeze/unfreeze, modify the score directly. */
export function StudentAdminActions({ student, reasons }: { student: Student; reasons: ReasonChoice[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const writes = useStudentWrites();
  const [open, setOpen] = useState<'edit' | 'modify' | null>(null);
  const [form] = Form.useForm();
  const notify = (answer: unknown) => {
    message.success(isQueued(answer) ? t('app.queued') : t('app.saved'));
    setOpen(null);
  };
  const fail = (e: Error) => message.error(e.message);
  const submit = (values: Record<string, unknown>) => {
    if (open === 'edit') writes.correct.mutate({ studentId: student.studentId, name: values.name as string, className: values.className as string }, { onSuccess: notify, onError: fail });
    else {
      const reason = reasons.find((r) => r.code === values.reasonCode);
      writes.modify.mutate(
        { studentId: student.studentId, delta: values.delta as number, reason: (values.reason as string) || reason?.label || '', ...(reason ? { reasonCode: reason.code } : {}) },
        { onSuccess: notify, onError: fail },
      );
    }
  };
  return (
    <Space size={4} wrap>
      <Button size="small" onClick={() => setOpen('edit')} aria-label={`${t('students.edit')} ${student.name}`}>
        {t('students.edit')}
      </Button>
      <Button
        size="small"
        aria-label={`${student.frozen ? t('students.unfreeze') : t('students.freeze')} ${student.name}`}
        loading={writes.freeze.isPending}
        onClick={() => writes.freeze.mutate({ studentId: student.studentId, frozen: !student.frozen }, { onSuccess: notify, onError: fail })}
      >
        {student.frozen ? t('students.unfreeze') : t('students.freeze')}
      </Button>
      <Button size="small" onClick={() => setOpen('modify')} aria-label={`${t('students.modify')} ${student.name}`}>
        {t('students.modify')}
      </Button>
      <Modal
        open={open !== null}
        title={`${open === 'edit' ? t('students.edit') : t('students.modify')} · ${student.name}`}
        onCancel={() => setOpen(null)}
        onOk={() => form.submit()}
        okText={t('app.save')}
        cancelText={t('app.cancel')}
        confirmLoading={writes.correct.isPending || writes.modify.isPending}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" preserve={false} onFinish={submit} initialValues={{ name: student.name, className: student.className }}>
          {open === 'edit' ? (
            <>
              <Form.Item label={t('fields.name')} name="name" rules={[{ required: true }]}>
                <Input />
              </Form.Item>
              <Form.Item label={t('fields.className')} name="className" rules={[{ required: true }]}>
                <Input />
              </Form.Item>
            </>
          ) : (
            <>
              <Form.Item label={t('teacher.reasonFromCatalogue')} name="reasonCode">
                <Select
                  allowClear
                  options={reasons.map((r) => ({ value: r.code, label: r.label }))}
                  onChange={(code) => {
                    const r = reasons.find((x) => x.code === code);
                    if (r) form.setFieldValue('delta', r.defaultDelta);
                  }}
                />
              </Form.Item>
              <Form.Item label={t('teacher.freeReason')} name="reason">
                <Input maxLength={200} />
              </Form.Item>
              <Form.Item label={t('fields.delta')} name="delta" rules={[{ required: true, type: 'integer', validator: async (_, v) => { if (v === 0) throw new Error('≠ 0'); } }]}>
                <InputNumber />
              </Form.Item>
            </>
          )}
        </Form>
      </Modal>
    </Space>
  );
}
