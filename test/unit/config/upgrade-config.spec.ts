import { ConfigError } from '../../../src/consensus';
import { nodeConfigFromEnv as configOf } from '../../../src/config/node-config';
import { randomJwtSecret } from '../../support/jwt-secret';

/** The node's settings with a JWT secret, which a node requires. */
const nodeConfigFromEnv = (env: NodeJS.ProcessEnv) => configOf({ JWT_SECRET: randomJwtSecret(), ...env });

describe('rolling upgrade configuration (WRITE_PREVIOUS_EVENT_SCHEMAS)', () => {
  it('writes current schema versions unless told otherwise', () => {
    expect(nodeConfigFromEnv({}).writePreviousEventSchemas).toBe(false);
    expect(nodeConfigFromEnv({ WRITE_PREVIOUS_EVENT_SCHEMAS: '0' }).writePreviousEventSchemas).toBe(false);
    expect(nodeConfigFromEnv({ WRITE_PREVIOUS_EVENT_SCHEMAS: 'false' }).writePreviousEventSchemas).toBe(false);
  });

  it('writes the previous versions with 1 or true', () => {
    expect(nodeConfigFromEnv({ WRITE_PREVIOUS_EVENT_SCHEMAS: '1' }).writePreviousEventSchemas).toBe(true);
    expect(nodeConfigFromEnv({ WRITE_PREVIOUS_EVENT_SCHEMAS: 'true' }).writePreviousEventSchemas).toBe(true);
  });

  it('refuses anything else at start', () => {
    expect(() => nodeConfigFromEnv({ WRITE_PREVIOUS_EVENT_SCHEMAS: 'yes' })).toThrow(ConfigError);
    expect(() => nodeConfigFromEnv({ WRITE_PREVIOUS_EVENT_SCHEMAS: '2' })).toThrow(/WRITE_PREVIOUS_EVENT_SCHEMAS must be 1, true, 0 or false/);
  });
});
