#!/usr/bin/env node
// Thin entry: --version answers without loading the engine (cold start matters); everything else goes to
// dist/cli/main.js, the bundle scripts/build.mjs makes (`npm install`'s prepare step; shipped in the npm package).
import { existsSync, readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv[0] === '--version' || argv[0] === '-V') {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`omsplay ${pkg.version}\n`);
} else if (!existsSync(new URL('../dist/cli/main.js', import.meta.url))) {
  // A clone installed with --omit=dev has no build tools: say so instead of a module-not-found trace.
  process.stderr.write('omsplay is not built (no dist/)\n  hint: run `npm install` with the dev dependencies (it builds dist/), or install the omsplay package, which ships it\n');
  process.exit(1);
} else {
  const { main } = await import('../dist/cli/main.js');
  const code = await main(argv);
  // Let stdout drain before exiting (JSON Lines consumers read to the end).
  process.stdout.write('', () => process.exit(code));
}
