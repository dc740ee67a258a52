import { createHmac } from 'node:crypto';
import { InvalidTokenError } from '../../../src/auth/auth-errors';
import type { AuthService } from '../../../src/auth/auth.service';
import { JwtKeyRing } from '../../../src/auth/jwt-keys';
import { hashPassword } from '../../../src/auth/password';
import { InMemoryCredentials } from './auth-test-support';

// The module object itself (an `import * as` copy would not be the one other modules call into).
const crypto = jest.requireActual<typeof import('node:crypto')>('node:crypto');

const NOW = 1_760_000_000;
const OLD = { kid: '2025-03', secret: 'o'.repeat(40) };
const NEW = { kid: '2025-09', secret: 'n'.repeat(40) };

describe('JwtKeyRing', () => {
  it('signs with the first key and names it in the header', () => {
    const token = new JwtKeyRing([NEW, OLD]).sign({ sub: 'kim' }, NOW, 60);
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as Record<string, unknown>;
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT', kid: '2025-09' });
  });

  it('rotation: tokens signed with the retiring key and with the new one both verify on the new ring', () => {
    const before = new JwtKeyRing([OLD]).sign({ sub: 'kim' }, NOW, 60);
    const ring = new JwtKeyRing([NEW, OLD]);
    const after = ring.sign({ sub: 'lee' }, NOW, 60);
    expect(ring.verify(before, NOW)).toMatchObject({ sub: 'kim', iat: NOW, exp: NOW + 60 });
    expect(ring.verify(after, NOW)).toMatchObject({ sub: 'lee' });
    // Once the old key is dropped, its tokens fail; a ring without the new key refuses the new ones.
    expect(() => new JwtKeyRing([NEW]).verify(before, NOW)).toThrow(new InvalidTokenError('invalid token'));
    expect(() => new JwtKeyRing([OLD]).verify(after, NOW)).toThrow(new InvalidTokenError('invalid token'));
  });

  it('refuses a token whose kid names another secret than the one that signed it', () => {
    const forged = new JwtKeyRing([{ kid: NEW.kid, secret: 'x'.repeat(40) }]).sign({ sub: 'kim' }, NOW, 60);
    expect(() => new JwtKeyRing([NEW, OLD]).verify(forged, NOW)).toThrow(new InvalidTokenError('invalid token'));
  });

  it('refuses expired tokens, tokens not yet valid, other algorithms and tampered payloads', () => {
    const ring = new JwtKeyRing([NEW]);
    const token = ring.sign({ sub: 'kim' }, NOW, 60);
    expect(() => ring.verify(token, NOW + 60)).toThrow(new InvalidTokenError('token expired'));
    const early = ring.sign({ sub: 'kim', nbf: NOW + 30 }, NOW, 60);
    expect(() => ring.verify(early, NOW)).toThrow(new InvalidTokenError('invalid token'));
    const [h, p, s] = token.split('.');
    const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const bad of [
      `${b64({ alg: 'none', kid: NEW.kid })}.${p}.`,
      `${b64({ alg: 'HS512', kid: NEW.kid })}.${p}.${s}`,
      `${h}.${b64({ sub: 'root', exp: NOW + 60 })}.${s}`,
      `${h}.${p}`,
      `${h}.${p}.${s}x`,
      '',
    ]) {
      expect(() => ring.verify(bad, NOW)).toThrow(InvalidTokenError);
    }
  });

  it('verifies a token without a kid (a release before key ids signed it) only with the key named default', () => {
    const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'kim', iat: NOW, exp: NOW + 60 })}`;
    const legacy = (secret: string) => `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
    const ring = new JwtKeyRing([NEW, { kid: 'default', secret: OLD.secret }]);
    expect(ring.verify(legacy(OLD.secret), NOW)).toMatchObject({ sub: 'kim' });
    expect(() => ring.verify(legacy(NEW.secret), NOW)).toThrow(InvalidTokenError);
    expect(() => new JwtKeyRing([NEW, OLD]).verify(legacy(OLD.secret), NOW)).toThrow(InvalidTokenError);
  });

  it('refuses rings that are empty, repeat a kid or hold a short secret', () => {
    expect(() => new JwtKeyRing([])).toThrow();
    expect(() => new JwtKeyRing([NEW, NEW])).toThrow();
    expect(() => new JwtKeyRing([{ kid: 'k', secret: 's'.repeat(31) }])).toThrow();
  });
});

describe('token checks build the key once', () => {
  it('imports no key per verification (createSecretKey/createPublicKey are not called per request)', async () => {
    const secretKeys = jest.spyOn(crypto, 'createSecretKey');
    const publicKeys = jest.spyOn(crypto, 'createPublicKey');
    try {
      // Loaded after the spies, so libraries that keep crypto's functions at load time see them too.
      const credentials = new InMemoryCredentials();
      let auth!: AuthService;
      jest.isolateModules(() => {
        const isolated = jest.requireActual<typeof import('../../../src/auth/auth.service')>('../../../src/auth/auth.service');
        const keys = jest.requireActual<typeof import('../../../src/auth/jwt-keys')>('../../../src/auth/jwt-keys');
        auth = new isolated.AuthService(credentials, new keys.JwtKeyRing([NEW]), { expiresInSeconds: 60 });
      });
      credentials.put({ username: 'kim', passwordHash: await hashPassword('pw-123456'), role: 'teacher', studentId: null, disabled: false, position: 1 });
      const { accessToken } = await auth.login('kim', 'pw-123456');
      secretKeys.mockClear();
      publicKeys.mockClear();
      for (let i = 0; i < 20; i++) await auth.verify(accessToken);
      expect(secretKeys.mock.calls.length + publicKeys.mock.calls.length).toBe(0);
    } finally {
      secretKeys.mockRestore();
      publicKeys.mockRestore();
    }
  });
});
