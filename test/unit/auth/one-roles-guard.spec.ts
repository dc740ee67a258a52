import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { ROLES_KEY, Roles } from '../../../src/http/auth/roles.decorator';
import { RolesGuard } from '../../../src/http/auth/roles.guard';

class Decorated {
  @Roles('admin')
  handler(): void {}
}

describe('one roles decorator, one roles guard', () => {
  it('given @Roles on a handler, then it carries the one roles key and installs the one RolesGuard', () => {
    const handler = Object.getOwnPropertyDescriptor(Decorated.prototype, 'handler')?.value as object;
    expect(ROLES_KEY).toBe('roles');
    expect(Reflect.getMetadata(ROLES_KEY, handler)).toEqual(['admin']);
    expect(Reflect.getMetadata(GUARDS_METADATA, handler)).toEqual([RolesGuard]);
    expect(Reflect.getMetadataKeys(handler)).not.toContain('auth:roles');
    expect(Reflect.getMetadataKeys(handler)).not.toContain('http:roles');
  });

  it('has no second roles decorator or current-actor decorator under src/http/common', () => {
    const common = join(__dirname, '../../../src/http/common');
    expect(existsSync(join(common, 'roles.ts'))).toBe(false);
    expect(existsSync(join(common, 'current-actor.ts'))).toBe(false);
  });
});
