import { App, Button, Card, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { useStartArchive } from '../api/sagas';

/** Starts a semester archive (of a class or every class); hands the saga id on. */
export function ArchiveForm({ onStarted }: { onStarted: (sagaId: string) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const start = useStartArchive();
  return (
    <Card size="small" title={t('batch.archiveTitle')}>
      <Form<{ semester: string; className?: string }>
        layout="vertical"
        onFinish={(v) => start.mutate({ semester: v.semester, ...(v.className ? { className: v.className } : {}) }, { onSuccess: onStarted, onError: (e) => message.error(e.message) })}
      >
        <Form.Item name="semester" label={t('batch.semester')} rules={[{ required: true, pattern: /^[A-Za-z0-9_-]{1,64}$/ }]}>
          <Input placeholder="2026-fall" style={{ maxWidth: 200 }} />
        </Form.Item>
        <Form.Item name="className" label={t('batch.archiveClass')}>
          <Input style={{ maxWidth: 200 }} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={start.isPending}>
          {t('batch.startArchive')}
        </Button>
      </Form>
    </Card>
  );
}
