import { App, Button, Form, Input, InputNumber, Modal, Radio, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryState } from '@/components/query-state';
import { isQueued } from '@/lib/api/client';
import type { Reason } from '@/lib/api/types';
import { formatDelta } from '@/utils/format';
import { useReasons, useSaveReason } from '../api/reasons';

/** The reason catalogue: code, both labels, default change, positive or negative, active. */
export function ReasonsAdmin() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const reasons = useReasons();
  const save = useSaveReason();
  const [editing, setEditing] = useState<{ reason: Partial<Reason>; isNew: boolean } | null>(null);
  const [form] = Form.useForm<Reason>();
  const onFinish = (values: Reason) => {
    const delta = Math.abs(values.defaultDelta) * (values.polarity === 'negative' ? -1 : 1);
    save.mutate(
      { reason: { ...values, defaultDelta: delta, active: values.active ?? true }, isNew: editing!.isNew },
      {
        onSuccess: (answer) => {
          message.success(isQueued(answer) ? t('app.queued') : t('app.saved'));
          setEditing(null);
        },
        onError: (e) => message.error(e.message),
      },
    );
  };
  return (
    <QueryState isLoading={reasons.isLoading} error={reasons.error} onRetry={() => void reasons.refetch()}>
      <Button type="primary" onClick={() => setEditing({ reason: { polarity: 'positive', defaultDelta: 1, active: true }, isNew: true })} style={{ marginBottom: 12 }}>
        {t('reasons.create')}
      </Button>
      <Table<Reason>
        rowKey="code"
        size="small"
        dataSource={reasons.data ?? []}
        pagination={false}
        scroll={{ x: 600 }}
        columns={[
          { title: t('reasons.code'), dataIndex: 'code' },
          { title: t('reasons.labelZh'), dataIndex: 'labelZh' },
          { title: t('reasons.labelEn'), dataIndex: 'labelEn' },
          { title: t('reasons.defaultDelta'), dataIndex: 'defaultDelta', render: (d: number) => formatDelta(d) },
          { title: t('reasons.polarity'), dataIndex: 'polarity', render: (p: string) => <Tag color={p === 'positive' ? 'green' : 'red'}>{t(`reasons.${p}`)}</Tag> },
          { title: t('reasons.active'), dataIndex: 'active', render: (a: boolean) => (a ? t('users.active') : t('users.disabled')) },
          {
            title: t('app.actions'),
            key: 'edit',
            render: (_, r) => (
              <Button size="small" aria-label={`${t('app.edit')} ${r.code}`} onClick={() => setEditing({ reason: { ...r, defaultDelta: Math.abs(r.defaultDelta) }, isNew: false })}>
                {t('app.edit')}
              </Button>
            ),
          },
        ]}
      />
      <Modal
        open={editing !== null}
        title={editing?.isNew ? t('reasons.create') : t('reasons.edit', { code: editing?.reason.code ?? '' })}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        okText={t('app.save')}
        cancelText={t('app.cancel')}
        confirmLoading={save.isPending}
        destroyOnHidden
      >
        <Form<Reason> form={form} layout="vertical" preserve={false} initialValues={editing?.reason} onFinish={onFinish}>
          <Form.Item label={t('reasons.code')} name="code" rules={[{ required: true, pattern: /^[A-Za-z0-9_-]{1,64}$/ }]}>
            <Input disabled={!editing?.isNew} />
          </Form.Item>
          <Form.Item label={t('reasons.labelZh')} name="labelZh" rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item label={t('reasons.labelEn')} name="labelEn" rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item label={t('reasons.polarity')} name="polarity">
            <Radio.Group
              options={[
                { value: 'positive', label: t('reasons.positive') },
                { value: 'negative', label: t('reasons.negative') },
              ]}
            />
          </Form.Item>
          <Form.Item label={t('reasons.defaultDelta')} name="defaultDelta" rules={[{ required: true }]}>
            <InputNumber min={1} max={1000} />
          </Form.Item>
          <Form.Item label={t('reasons.active')} name="active" valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Modal>
    </QueryState>
  );
}
