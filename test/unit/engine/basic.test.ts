import { describe, expect, it } from 'vitest';
import { runYaml } from './harness.js';

describe('engine: linear strategy', () => {
  it('runs every task on every host, in order, and registers results', async () => {
    const r = await runYaml({
      playbook: `
- name: basics
  hosts: all
  tasks:
    - name: echo
      command: [echo, "{{ inventory_hostname }}-{{ region }}"]
      register: out
    - name: show
      debug: {msg: "got {{ out.stdout }}"}
`,
    });
    expect(r.exitCode).toBe(0);
    expect(r.collect.status('echo')).toEqual({ a: 'changed', b: 'changed', c: 'changed' });
    const msgs = r.collect.results('show').map((e) => e.result.msg);
    expect(msgs).toEqual(['got a-hz', 'got b-hz', 'got c-sh']);
  });
});
