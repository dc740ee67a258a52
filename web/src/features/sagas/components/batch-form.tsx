import { UploadOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, InputNumber, Radio, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDraft } from '@/lib/drafts';
import { type CsvChange, parseBatchCsv, parseIdList } from '@/utils/format';
import { classStudentIds, useStartBatch } from '../api/sagas';

interface Values {
  mode: 'class' | 'selection' | 'csv';
  className?: string;
  ids?: string;
  delta?: number;
  reason: string;
}

/** Starts a batch adjustment over a class, listed students or a CSV; hands the saga id on. */
export function BatchForm({ onStarted }: { onStarted: (sagaId: string) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const start = useStartBatch();
  const [form] = Form.useForm<Values>();
  const draft = useDraft<Partial<Values>>('batch', { mode: 'selection', delta: 1 });
  const mode = Form.useWatch('mode', form) ?? draft.initial.mode;
  const [csv, setCsv] = useState<CsvChange[] | null>(null);
  const [busy, setBusy] = useState(false);
  const onFinish = async (values: Values) => {
    setBusy(true);
    try {
      const delta = values.delta ?? 0;
      const changes =
        values.mode === 'csv'
          ? (csv ?? [])
          : (values.mode === 'class' ? await classStudentIds(values.className ?? '') : parseIdList(values.ids ?? '')).map((studentId) => ({ studentId, delta }));
      if (changes.length === 0) return void message.warning(t('batch.noStudents'));
      const sagaId = await start.mutateAsync({ changes, reason: values.reason });
      draft.clear();
      onStarted(sagaId);
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card size="small" title={t('batch.title')}>
      <Form<Values> form={form} layout="vertical" initialValues={draft.initial} onValuesChange={draft.save} onFinish={(v) => void onFinish(v)}>
        <Form.Item name="mode" label={t('batch.mode')}>
          <Radio.Group
            optionType="button"
            options={[
              { value: 'class', label: t('batch.byClass') },
              { value: 'selection', label: t('batch.bySelection') },
              { value: 'csv', label: t('batch.byCsv') },
            ]}
          />
        </Form.Item>
        {mode === 'class' && (
          <Form.Item name="className" label={t('fields.className')} rules={[{ required: true }]}>
            <Input style={{ maxWidth: 200 }} />
          </Form.Item>
        )}
        {mode === 'selection' && (
          <Form.Item name="ids" label={t('batch.ids')} rules={[{ required: true }]}>
            <Input.TextArea rows={3} />
          </Form.Item>
        )}
        {mode === 'csv' ? (
          <Form.Item label={t('batch.csv')} extra={csv ? t('batch.csvRows', { count: csv.length }) : t('batch.csvHelp')}>
            <Upload
              accept=".csv,text/csv"
              maxCount={1}
              beforeUpload={(file) => {
                void file.text().then((text) => {
                  const parsed = parseBatchCsv(text);
                  if ('badLine' in parsed) {
                    setCsv(null);
                    message.error(t('batch.csvBad', { line: parsed.badLine }));
                  } else setCsv(parsed.changes);
                });
                return false;
              }}
            >
              <Button icon={<UploadOutlined aria-hidden />}>{t('batch.byCsv')}</Button>
            </Upload>
          </Form.Item>
        ) : (
          <Form.Item name="delta" label={t('fields.delta')} rules={[{ required: true }]}>
            <InputNumber min={-1000} max={1000} />
          </Form.Item>
        )}
        <Form.Item name="reason" label={t('fields.reason')} rules={[{ required: true }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('batch.start')}
        </Button>
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }} />
      </Form>
    </Card>
  );
}
