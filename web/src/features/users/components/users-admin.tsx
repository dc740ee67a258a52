import { App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryState } from '@/components/query-state';
import { isQueued } from '@/lib/api/client';
import type { Role, User } from '@/lib/api/types';
import { useDraft } from '@/lib/drafts';
import { useUsers, useUserWrites } from '../api/users';
import { ClassesEditor } from './classes-editor';

const ROLES: Role[] = ['admin', 'teacher', 'club', 'student'];

interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  password: string;
  studentId?: string;
}

/** The roles that look after classes ("my classes"). */
const CLASS_HOLDERS: Role[] = ['teacher', 'club'];

/**
 * Users: create, change role, a teacher's or club's classes, disable or enable, reset a password.
 * `knownClasses` are the classes students are in (offered when assigning classes).
 */
export function UsersAdmin({ knownClasses = [] }: { knownClasses?: readonly string[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [page, setPage] = useState(1);
  const users = useUsers(page);
  const writes = useUserWrites();
  const [form] = Form.useForm<NewUser>();
  const draft = useDraft<Partial<NewUser>>('new-user', { role: 'teacher' });
  const role = Form.useWatch('role', form);
  const [resetting, setResetting] = useState<string | null>(null);
  const [password, setPassword] = useState('');
  const ok = (answer: unknown, text = t('app.saved')) => message.success(isQueued(answer) ? t('app.queued') : text);
  const fail = (e: Error) => message.error(e.message);
  const roleOptions = ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }));
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Card size="small" title={t('users.create')}>
        <Form<NewUser>
          form={form}
          layout="inline"
          style={{ rowGap: 8 }}
          initialValues={{ ...draft.initial, password: undefined }}
          onValuesChange={(_, all) => draft.save(_, { ...all, password: undefined })}
          onFinish={(values) =>
            writes.create.mutate(
              { ...values, studentId: values.role === 'student' ? values.studentId : undefined },
              {
                onSuccess: (a) => {
                  ok(a, t('users.created', { username: values.username }));
                  draft.clear();
                  form.resetFields();
                },
                onError: fail,
              },
            )
          }
        >
          <Form.Item label={t('users.username')} name="username" rules={[{ required: true, pattern: /^[a-z0-9][a-z0-9._-]{2,63}$/ }]}>
            <Input style={{ width: 140 }} autoComplete="off" />
          </Form.Item>
          <Form.Item label={t('users.displayName')} name="displayName" rules={[{ required: true }]}>
            <Input style={{ width: 140 }} />
          </Form.Item>
          <Form.Item label={t('users.role')} name="role" rules={[{ required: true }]}>
            <Select style={{ width: 110 }} options={roleOptions} />
          </Form.Item>
          {role === 'student' && (
            <Form.Item label={t('users.studentId')} name="studentId" rules={[{ required: true }]}>
              <Input style={{ width: 110 }} />
            </Form.Item>
          )}
          <Form.Item label={t('users.password')} name="password" rules={[{ required: true, min: 8 }]}>
            <Input.Password style={{ width: 160 }} autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={writes.create.isPending}>
            {t('users.create')}
          </Button>
        </Form>
      </Card>
      <QueryState isLoading={users.isLoading} error={users.error} onRetry={() => void users.refetch()}>
        <Table<User>
          rowKey="username"
          size="small"
          dataSource={users.data?.items ?? []}
          scroll={{ x: 760 }}
          pagination={{ current: page, pageSize: 50, total: users.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
          columns={[
            { title: t('users.username'), dataIndex: 'username' },
            { title: t('users.displayName'), dataIndex: 'displayName' },
            {
              title: t('users.role'),
              dataIndex: 'role',
              render: (r: Role, u) => (
                <Select
                  size="small"
                  aria-label={t('users.changeRole', { username: u.username })}
                  value={r}
                  options={roleOptions}
                  style={{ width: 110 }}
                  onChange={(next) => writes.update.mutate({ username: u.username, role: next }, { onSuccess: (a) => ok(a), onError: fail })}
                />
              ),
            },
            {
              title: t('users.classes'),
              dataIndex: 'classes',
              render: (classes: string[], u) => (CLASS_HOLDERS.includes(u.role) ? <ClassesEditor username={u.username} classes={classes} knownClasses={knownClasses} /> : t('app.none')),
            },
            { title: t('fields.studentId'), dataIndex: 'studentId', render: (s: string | null) => s ?? t('app.none') },
            { title: t('fields.status'), dataIndex: 'disabled', render: (d: boolean) => (d ? <Tag color="red">{t('users.disabled')}</Tag> : <Tag color="green">{t('users.active')}</Tag>) },
            {
              title: t('app.actions'),
              key: 'actions',
              render: (_, u) => (
                <Space size={4}>
                  <Button size="small" aria-label={`${u.disabled ? t('users.enable') : t('users.disable')} ${u.username}`} onClick={() => writes.update.mutate({ username: u.username, disabled: !u.disabled }, { onSuccess: (a) => ok(a), onError: fail })}>
                    {u.disabled ? t('users.enable') : t('users.disable')}
                  </Button>
                  <Button size="small" aria-label={`${t('users.resetPassword')} ${u.username}`} onClick={() => setResetting(u.username)}>
                    {t('users.resetPassword')}
                  </Button>
                </Space>
              ),
            },
          ]}
        />
      </QueryState>
      <Modal
        open={resetting !== null}
        title={`${t('users.resetPassword')} · ${resetting ?? ''}`}
        okText={t('app.save')}
        cancelText={t('app.cancel')}
        okButtonProps={{ disabled: password.length < 8 }}
        confirmLoading={writes.resetPassword.isPending}
        onCancel={() => setResetting(null)}
        onOk={() =>
          writes.resetPassword.mutate(
            { username: resetting!, password },
            {
              onSuccess: (a) => {
                ok(a);
                setResetting(null);
                setPassword('');
              },
              onError: fail,
            },
          )
        }
        destroyOnHidden
      >
        <Input.Password aria-label={t('users.newPassword')} value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
      </Modal>
    </Space>
  );
}
