// @ts-check
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// The deterministic core runs unchanged under the seeded simulator, so it may reach neither the
// framework, the network or the database, nor the wall clock, randomness or timers (ARCHITECTURE.md).
const coreFiles = ['src/consensus/**/*.ts', 'src/domain/**/*.ts', 'src/sagas/**/*.ts'];
const timers = /^(setTimeout|setInterval|setImmediate)$/.source;
const useAPort = 'The core is deterministic: take time, randomness and timers as values or ports.';

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  { files: ['**/*.ts'], extends: [tseslint.configs.recommended] },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: coreFiles,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@nestjs/*'], message: 'The core must not depend on Nest; wire it up outside.' },
            { group: ['nats', 'nats/*'], message: 'The core does no I/O; infra/nats drives it.' },
            {
              group: ['kysely', 'kysely/*', 'mysql2', 'mysql2/*'],
              message: 'The core does no I/O; infra/mysql persists for it.',
            },
            { group: ['timers', 'timers/*', 'node:timers', 'node:timers/*'], message: useAPort },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: useAPort },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: useAPort },
        { selector: "MemberExpression[object.name='Math'][property.name='random']", message: useAPort },
        { selector: `CallExpression[callee.name=/${timers}/]`, message: useAPort },
        {
          selector: `MemberExpression[object.name=/^(globalThis|global)$/][property.name=/${timers}/]`,
          message: useAPort,
        },
      ],
    },
  },
);
