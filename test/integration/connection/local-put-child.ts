/**
 * Runs inside a lab host as a non-root user (local-put-become.test.ts): puts argv[3] to argv[2] through the local
 * transport with the put options given as JSON in argv[4], the sudo password (if any) read from the environment
 * variable OMSPLAY_TEST_SUDO_PW. Prints one JSON line: {"ok":true} or {"error":"..."}.
 */
import { LocalConnection } from '../../../lib/connection/local.js';
import type { PutOptions } from '../../../lib/connection/types.js';

const [dest, content, optsJson] = process.argv.slice(2) as [string, string, string];
const opts = JSON.parse(optsJson) as PutOptions;
const password = process.env.OMSPLAY_TEST_SUDO_PW;
if (opts.become && password) opts.become = { password };
try {
  await new LocalConnection('control').put({ content }, dest, opts);
  console.log(JSON.stringify({ ok: true }));
} catch (e) {
  console.log(JSON.stringify({ error: (e as Error).message }));
}
