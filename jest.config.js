/** Jest runs TypeScript through SWC with legacy decorators and decorator metadata, as NestJS needs. */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // web/ has its own runner (vitest, jsdom): npm test runs it after jest.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/web/'],
  modulePathIgnorePatterns: ['<rootDir>/web/dist/'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  testTimeout: 60000,
  // Both cores by default; `npm test` gives the unit and integration suites one (JEST_MAX_WORKERS=1) while the end-to-end suite runs beside them.
  maxWorkers: Number(process.env.JEST_MAX_WORKERS ?? 2),
  // Set, it keeps specs in worker processes even with one worker (jest would run them in its own
  // process, where a handle a spec leaves open keeps jest from exiting), and recycles a worker
  // whose memory grew past it.
  workerIdleMemoryLimit: '1GB',
};
