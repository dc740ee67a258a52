import { MinusOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, InputNumber, Radio, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useDraft } from '@/lib/drafts';
import { useSubmitApplications } from '../api/applications';

/** A catalogue reason as the panel offers it. */
export interface ReasonOption {
  code: string;
  label: string;
  defaultDelta: number;
}

interface Values {
  direction: 'award' | 'deduct';
  reasonCode?: string;
  reason?: string;
  points: number;
}

/** The signed change and reason of the form, or the message key of what is missing. */
export function awardOf(values: Values, reasons: ReasonOption[]): { delta: number; reason: string; reasonCode?: string } | { missing: string } {
  const chosen = reasons.find((r) => r.code === values.reasonCode);
  const free = values.reason?.trim() ?? '';
  if (!chosen && free === '') return { missing: 'teacher.needReason' };
  const points = Math.abs(Math.trunc(values.points || 0)) || Math.abs(chosen?.defaultDelta ?? 1);
  return { delta: values.direction === 'deduct' ? -points : points, reason: free || chosen!.label, ...(chosen ? { reasonCode: chosen.code } : {}) };
}

/** Award or deduct for the selected students: one application each. Fast on a phone. */
export function AwardPanel({ selected, reasons, onSubmitted }: { selected: string[]; reasons: ReasonOption[]; onSubmitted: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const submit = useSubmitApplications();
  const [form] = Form.useForm<Values>();
  const draft = useDraft<Values>('award', { direction: 'award', points: 1 });
  const direction = Form.useWatch('direction', form) ?? draft.initial.direction;
  const onFinish = (values: Values) => {
    if (selected.length === 0) return void message.warning(t('teacher.pickStudents'));
    const award = awardOf(values, reasons);
    if ('missing' in award) return void message.warning(t(award.missing));
    submit.mutate(
      { studentIds: selected, ...award },
      {
        onSuccess: (r) => {
          if (r.submitted > 0) message.success(r.queued > 0 ? t('app.queued') : t('teacher.submitted', { count: r.submitted }));
          if (r.failed > 0) message.error(t('teacher.someFailed', { count: r.failed, message: r.firstError?.message ?? '' }));
          if (r.failed === 0) {
            draft.clear();
            form.setFieldsValue({ reason: '' });
            onSubmitted();
          }
        },
      },
    );
  };
  return (
    <Card size="small" title={t('teacher.selected', { count: selected.length })}>
      <Form<Values> form={form} layout="vertical" initialValues={draft.initial} onValuesChange={draft.save} onFinish={onFinish}>
        <Form.Item name="direction" label={t('fields.delta')}>
          <Radio.Group optionType="button" buttonStyle="solid">
            <Radio.Button value="award">
              <PlusOutlined aria-hidden /> {t('teacher.award')}
            </Radio.Button>
            <Radio.Button value="deduct">
              <MinusOutlined aria-hidden /> {t('teacher.deduct')}
            </Radio.Button>
          </Radio.Group>
        </Form.Item>
        <Form.Item name="reasonCode" label={t('teacher.reasonFromCatalogue')}>
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            options={reasons.filter((r) => (direction === 'deduct' ? r.defaultDelta < 0 : r.defaultDelta > 0)).map((r) => ({ value: r.code, label: r.label }))}
            onChange={(code) => {
              const r = reasons.find((x) => x.code === code);
              if (r) form.setFieldValue('points', Math.abs(r.defaultDelta));
            }}
          />
        </Form.Item>
        <Form.Item name="reason" label={t('teacher.freeReason')}>
          <Input maxLength={200} />
        </Form.Item>
        <Space align="end" wrap>
          <Form.Item name="points" label={t('teacher.points')} style={{ marginBottom: 0 }}>
            <InputNumber min={1} max={1000} style={{ width: 96 }} />
          </Form.Item>
          <Button type="primary" htmlType="submit" size="large" loading={submit.isPending} disabled={selected.length === 0}>
            {t('teacher.submitApplications')}
          </Button>
        </Space>
        {selected.length === 0 && (
          <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
            {t('teacher.pickStudents')}
          </Typography.Paragraph>
        )}
      </Form>
    </Card>
  );
}
