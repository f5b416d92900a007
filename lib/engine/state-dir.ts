/** Where runs are kept: $OMSPLAY_HOME, else ~/.omsplay. Independent of the current directory. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function stateDir(): string {
  return process.env.OMSPLAY_HOME || join(homedir(), '.omsplay');
}

export function runsDir(): string {
  return join(stateDir(), 'runs');
}
