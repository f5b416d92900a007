import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The lab (sshd, dockerd, MariaDB in network namespaces) is brought up once for the whole run.
    globalSetup: ['test/lab/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // 2 cores: lab-heavy files must not all run at once.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
