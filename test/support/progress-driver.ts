/**
 * Drives the terminal view (ListrReporter) with the events of one task whose two parallel dumps report progress,
 * as the engine emits them; run in a pseudo-terminal by test/unit/reporters/progress.test.ts.
 */
import { ListrReporter } from '../../lib/reporters/listr.js';

const r = new ListrReporter();
const sleep = (ms: number) => new Promise((d) => setTimeout(d, ms));
const MB = 1024 * 1024;
r.event({ type: 'task_start', task: 'Back up: mysqldump', hosts: ['backup-host'] } as never);
for (let i = 1; i <= 4; i++) {
  await sleep(300);
  r.event({ type: 'progress', host: 'backup-host', task: 'Back up', done: i * 50 * MB, total: 400 * MB, unit: 'bytes', message: 'dumping rm' } as never);
  r.event({ type: 'progress', host: 'backup-host', task: 'Back up', done: i * 10 * MB, unit: 'bytes', message: 'dumping cm' } as never);
}
await sleep(300);
r.event({ type: 'task_result', host: 'backup-host', task: 'Back up', status: 'changed', result: { changed: true }, duration_ms: 1500 } as never);
await r.close();
