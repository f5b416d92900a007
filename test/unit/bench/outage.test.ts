import { describe, expect, it } from 'vitest';
import { stepTimes } from '../../../bench/outage.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

describe('bench outage: step times from a run’s events', () => {
  it('sums each step’s tasks (start to next start), marks the steps inside the outage, keeps rollback tasks apart', () => {
    const events = [
      { type: 'task_start', task: 'Stage: copy', time: at(0) },
      { type: 'task_start', task: 'Stage: load', time: at(2) },
      { type: 'task_start', task: 'Stop old containers: record T1', time: at(5) },
      { type: 'task_start', task: 'Back up: dump', time: at(6) },
      { type: 'task_start', task: 'Rollback: start the old container', time: at(9) },
      { type: 'task_start', task: 'Rollback: the old container is healthy', time: at(10) },
      { type: 'run_end', time: at(12) },
    ];
    expect(stepTimes(events, Date.parse(at(5)), Date.parse(at(9)))).toEqual([
      { step: 'Stage', ms: 5000, inOutage: false },
      { step: 'Stop old containers', ms: 1000, inOutage: true },
      { step: 'Back up', ms: 3000, inOutage: true },
      { step: 'Rollback: start the old container', ms: 1000, inOutage: false },
      { step: 'Rollback: the old container is healthy', ms: 2000, inOutage: false },
    ]);
  });
});
