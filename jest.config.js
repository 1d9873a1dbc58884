// Four projects: fast unit specs beside the code, e2e specs that boot the
// real app (real migrations, temporary SQLite file or TEST_DATABASE_URL), the
// multi-instance suite (several service processes on one database;
// `npm run test:multi`) and the browser suite (real Chromium; `npm run test:browser`).
const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/utils/jest-env.ts'],
};

module.exports = {
  // A guard against hangs, not a speed target (those live in bench/): an e2e hook boots a whole app with
  // its migrations, which takes seconds on a busy 2-core machine. Jest's default of 5 s failed there.
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', rootDir: '.', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      rootDir: '.',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
    },
    {
      // Several real service processes (node dist/main.js) on one database; `npm run test:multi`.
      ...common,
      displayName: 'multi',
      rootDir: '.',
      testMatch: ['<rootDir>/test/multi/**/*.multi-spec.ts'],
    },
    {
      // Real Chromium against the app on 127.0.0.1; run through scripts/test-browser.js.
      ...common,
      displayName: 'browser',
      rootDir: '.',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
    },
  ],
};
