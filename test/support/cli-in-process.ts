/** Runs the omsplay CLI in this process (fast, for unit tests), capturing what it writes to stdout and stderr. */
import { main } from '../../lib/cli/main.js';

export interface InProcessResult {
  code: number;
  out: string;
  err: string;
}

export async function cli(args: string[]): Promise<InProcessResult> {
  let out = '';
  let err = '';
  const o = process.stdout.write;
  const e = process.stderr.write;
  process.stdout.write = ((c: string | Uint8Array) => {
    out += String(c);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => {
    err += String(c);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(args), out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}
