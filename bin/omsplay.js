#!/usr/bin/env node
// Thin entry: --version answers without loading the engine (cold start matters); everything else
// goes to lib/cli/main (compiled to dist/ by `npm install`'s prepare step).
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv[0] === '--version' || argv[0] === '-V') {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`omsplay ${pkg.version}\n`);
} else {
  const { main } = await import('../dist/cli/main.js');
  const code = await main(argv);
  // Let stdout drain before exiting (JSON Lines consumers read to the end).
  process.stdout.write('', () => process.exit(code));
}
