import { EditOutlined } from '@ant-design/icons';
import { App, Button, Modal, Select, Space, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isQueued } from '@/lib/api/client';
import { CLASS_NAME_MAX, USER_CLASSES_MAX, useUserWrites } from '../api/users';

/**
 * What an admin typed, as the list to send: each name trimmed, blanks dropped, each name once
 * (the first place it was given).
 *
 * @example normalizeClasses([' 7A', '7B', '', '7A ']) // ['7A', '7B']
 */
export function normalizeClasses(values: readonly string[]): string[] {
  const names = values.map((v) => v.trim()).filter((v) => v !== '');
  return [...new Set(names)];
}

/** The first name over CLASS_NAME_MAX characters, or null: the API would refuse the list. */
export function tooLongClass(classes: readonly string[]): string | null {
  return classes.find((name) => [...name].length > CLASS_NAME_MAX) ?? null;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

/**
 * A teacher's or club's classes ("my classes") in the users table: the classes as tags, and an
 * edit button that opens a dialog with a tags select (the classes students are in to pick from,
 * or a name typed in). Saving sends the whole list (`PUT /api/users/:username/classes`).
 */
export function ClassesEditor({ username, classes, knownClasses }: { username: string; classes: readonly string[]; knownClasses: readonly string[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const writes = useUserWrites();
  const [editing, setEditing] = useState<string[] | null>(null);
  const chosen = useMemo(() => normalizeClasses(editing ?? []), [editing]);
  const options = useMemo(() => [...new Set([...classes, ...knownClasses])].sort(byName).map((name) => ({ value: name, label: name })), [classes, knownClasses]);
  const tooLong = tooLongClass(chosen);
  const save = () =>
    writes.assignClasses.mutate(
      { username, classes: chosen },
      {
        onSuccess: (answer) => {
          void message.success(isQueued(answer) ? t('app.queued') : t('users.classesSaved', { username }));
          setEditing(null);
        },
        onError: (e) => void message.error(e.message),
      },
    );
  return (
    <>
      <Space size={[4, 4]} wrap>
        {classes.length === 0 ? <Typography.Text type="secondary">{t('users.noClasses')}</Typography.Text> : classes.map((name) => <Tag key={name}>{name}</Tag>)}
        <Button size="small" type="text" icon={<EditOutlined aria-hidden />} aria-label={t('users.editClasses', { username })} onClick={() => setEditing([...classes])} />
      </Space>
      <Modal
        open={editing !== null}
        title={t('users.classesOf', { username })}
        okText={t('app.save')}
        cancelText={t('app.cancel')}
        okButtonProps={{ disabled: tooLong !== null || sameList(chosen, classes) }}
        confirmLoading={writes.assignClasses.isPending}
        onCancel={() => setEditing(null)}
        onOk={save}
        destroyOnHidden
      >
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Select
            mode="tags"
            aria-label={t('users.classesOf', { username })}
            value={editing ?? []}
            onChange={(values: string[]) => setEditing(normalizeClasses(values))}
            options={options}
            maxCount={USER_CLASSES_MAX}
            tokenSeparators={[',', '，']}
            style={{ width: '100%' }}
          />
          <Typography.Text type="secondary">{t('users.classesHelp', { max: USER_CLASSES_MAX })}</Typography.Text>
          {tooLong !== null && <Typography.Text type="danger">{t('users.classTooLong', { max: CLASS_NAME_MAX, name: tooLong })}</Typography.Text>}
        </Space>
      </Modal>
    </>
  );
}

function byName(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}
