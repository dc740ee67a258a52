import { App, Button, Card, Form, Input, InputNumber } from 'antd';
import { useTranslation } from 'react-i18next';
import { isQueued } from '@/lib/api/client';
import { useDraft } from '@/lib/drafts';
import { useStudentWrites } from '../api/students';

interface Values {
  studentId: string;
  name: string;
  className: string;
  initialScore?: number;
}

/** Registers a student; the draft survives an expired session. */
export function RegisterStudentForm() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { register } = useStudentWrites();
  const [form] = Form.useForm<Values>();
  const draft = useDraft<Partial<Values>>('register-student', {});
  return (
    <Card title={t('students.register')} size="small">
      <Form<Values>
        form={form}
        layout="inline"
        initialValues={draft.initial}
        onValuesChange={draft.save}
        onFinish={(values) =>
          register.mutate(values, {
            onSuccess: (answer) => {
              message.success(isQueued(answer) ? t('app.queued') : t('students.registered', { id: values.studentId }));
              draft.clear();
              form.resetFields(['studentId', 'name']);
            },
            onError: (e) => message.error(e.message),
          })
        }
        style={{ rowGap: 8 }}
      >
        <Form.Item label={t('fields.studentId')} name="studentId" rules={[{ required: true, pattern: /^[A-Za-z0-9_-]{1,64}$/ }]}>
          <Input style={{ width: 120 }} />
        </Form.Item>
        <Form.Item label={t('fields.name')} name="name" rules={[{ required: true }]}>
          <Input style={{ width: 140 }} />
        </Form.Item>
        <Form.Item label={t('fields.className')} name="className" rules={[{ required: true }]}>
          <Input style={{ width: 90 }} />
        </Form.Item>
        <Form.Item label={t('fields.initialScore')} name="initialScore">
          <InputNumber min={0} style={{ width: 90 }} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={register.isPending}>
          {t('students.register')}
        </Button>
      </Form>
    </Card>
  );
}
