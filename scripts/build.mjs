#!/usr/bin/env node
/**
 * Builds dist/ (what bin/omsplay.js runs and what the npm package ships):
 * - dist/cli/main.js: lib/cli/main.ts bundled by esbuild, one ES module plus chunks (dist/chunks/) that load on
 *   first use: each subcommand, the engine, listr2, the connection code are separate chunks, so `validate` never
 *   parses the engine, and a run never parses listr2 when its output is plain. Native or seldom-used packages stay
 *   in node_modules (ssh2, mysql2, ajv: loaded only when a host is reached over SSH, a MetaDB is queried, a
 *   schema error is explained).
 * - dist/config/precompiled.cjs: ajv standalone validators of every schema a run checks (lib/playbook/schema-gen.ts).
 * Chunks sit two levels down (dist/cli, dist/chunks) as the sources do (lib/cli, lib/config), so paths a module
 * computes from its own location (../../playbooks, ../config/precompiled.cjs) hold in both.
 *
 *   node scripts/build.mjs                 build (needs the dev dependencies: esbuild, tsx)
 *   node scripts/build.mjs --if-possible   the `prepare` step: skip quietly when they are missing
 *                                          (`npm install --omit=dev` in a clone; a package ships dist/ already)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

let esbuild;
try {
  esbuild = require('esbuild');
  require.resolve('tsx');
} catch {
  if (process.argv.includes('--if-possible')) {
    const have = existsSync(join(root, 'dist', 'cli', 'main.js'));
    process.stderr.write(`omsplay: dev dependencies not installed, dist/ not built${have ? ' (the existing dist/ is kept)' : ': run `npm install` with dev dependencies to build the CLI'}\n`);
    process.exit(0);
  }
  process.stderr.write('omsplay build: esbuild and tsx are needed (npm install, with dev dependencies)\n');
  process.exit(1);
}

/** handlebars loads the source-map library for precompiling templates to files, which omsplay never does;
 * without it handlebars uses its own small stand-in (its code-gen.js catches the missing module). */
const noSourceMap = {
  name: 'no-source-map',
  setup(b) {
    b.onResolve({ filter: /^source-map$/ }, () => ({ path: 'source-map', namespace: 'empty' }));
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

await esbuild.build({
  absWorkingDir: root,
  entryPoints: { 'cli/main': 'lib/cli/main.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Loaded from node_modules when needed: native add-ons (ssh2), or large and seldom needed.
  external: ['ssh2', 'mysql2', 'mysql2/*', 'ajv', 'ajv/*', 'ajv-formats', 'cpu-features'],
  // CommonJS packages bundled into ES modules still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __omsplayCreateRequire } from 'node:module';\nconst require = __omsplayCreateRequire(import.meta.url);" },
  legalComments: 'none',
  plugins: [noSourceMap],
  logLevel: 'warning',
});

mkdirSync(join(dist, 'config'), { recursive: true });
const gen = spawnSync(process.execPath, ['--import', 'tsx', 'lib/playbook/schema-gen.ts', 'precompiled', 'dist/config/precompiled.cjs'], { cwd: root, stdio: 'inherit' });
if (gen.status !== 0) process.exit(gen.status ?? 1);
