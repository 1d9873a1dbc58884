// Three projects: fast unit specs beside the code, e2e specs that boot the
// real app (real migrations, temporary SQLite file or TEST_DATABASE_URL), and
// the browser suite (real Chromium; `npm run test:browser`).
const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/utils/jest-env.ts'],
};

module.exports = {
  // An e2e suite boots the real app and builds a world (migrations, scrypt, dozens of requests): seconds on a
  // busy shared machine. A limit against hangs, not a speed target (those live in bench/). Jest reads it
  // globally only, not per project.
  testTimeout: 30_000,
  projects: [
    { ...common, displayName: 'unit', rootDir: '.', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      rootDir: '.',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
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
