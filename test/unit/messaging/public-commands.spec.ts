import { PUBLIC_COMMAND_ROUTES } from '../../../src/messaging/public/public-commands.handler';

describe('the public NATS command subjects', () => {
  it('offer no logout: only the logout route ends a session, with the claims of the token it ends', () => {
    const body = { changes: [], reason: 'r' };
    const names = PUBLIC_COMMAND_ROUTES.map((route) => route.command(body).name);
    expect(names).not.toContain('users.logout');
    expect(names.filter((name) => name.startsWith('users.'))).toEqual(['users.create']);
    expect(PUBLIC_COMMAND_ROUTES.map((route) => route.subject).filter((subject) => /logout|session/.test(subject))).toEqual([]);
  });
});
