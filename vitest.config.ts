import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 300_000,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/integration/**/*.test.ts'],
          // The lab (sshd, dockerd, MariaDB in network namespaces) is brought up once for the whole run
          // and torn down at the end. Tests fail (never skip) when it cannot start.
          globalSetup: ['test/lab/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // 2 cores and one shared lab: integration files run one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
