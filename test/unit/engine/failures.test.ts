import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runYaml, workdir } from './harness.js';

describe('engine: failure handling, unreachable hosts, check mode, tags', () => {
  it('an unreachable host is not failed: it leaves the play, the others finish, exit code 3', async () => {
    const r = await runYaml({
      unreachable: ['b'],
      playbook: `
- hosts: all
  tasks:
    - name: one
      command: [echo, one]
    - name: two
      command: [echo, two]
`,
    });
    expect(r.collect.status('one')).toEqual({ a: 'changed', b: 'unreachable', c: 'changed' });
    expect(r.collect.status('two')).toEqual({ a: 'changed', c: 'changed' });
    expect(r.collect.results('one').find((e) => e.host === 'b')!.result.msg).toMatch(/connection refused/);
    expect(r.collect.recap().b).toMatchObject({ unreachable: 1, failed: 0 });
    expect(r.exitCode).toBe(3);
  });

  it('any_errors_fatal stops the play for every host after the failing task', async () => {
    const r = await runYaml({
      playbook: `
- hosts: all
  any_errors_fatal: true
  tasks:
    - name: break c
      fail: {msg: broken}
      when: (eq inventory_hostname "c")
    - name: never reached
      debug: {msg: x}
- hosts: all
  tasks:
    - name: next play
      debug: {msg: y}
`,
    });
    expect(r.collect.status('never reached')).toEqual({});
    expect(r.collect.status('next play')).toEqual({});
    const end = r.collect.events.find((e) => e.type === 'play_end') as { failed: boolean; reason: string };
    expect(end.failed).toBe(true);
    expect(end.reason).toMatch(/any_errors_fatal/);
    expect(r.exitCode).toBe(2);
  });

  it('max_fail_percentage stops the play when too many hosts fail', async () => {
    const r = await runYaml({
      playbook: `
- hosts: all
  max_fail_percentage: 30
  tasks:
    - name: break a
      fail: {msg: broken}
      when: (eq inventory_hostname "a")
    - name: after
      debug: {msg: x}
`,
    });
    expect(r.collect.status('after')).toEqual({});
    expect(r.exitCode).toBe(2);
  });

  it('on_failure plays run across the still-reachable hosts with the failure in their variables', async () => {
    const r = await runYaml({
      unreachable: [],
      playbook: `
- name: upgrade
  hosts: all
  any_errors_fatal: true
  tasks:
    - name: step one
      set_fact: {phase: stopped}
    - name: step two
      fail: {msg: "init failed on {{ inventory_hostname }}"}
      when: (eq inventory_hostname "b")
  on_failure:
    - name: roll back the site
      hosts: all
      tasks:
        - name: report
          debug: {msg: "{{ failure.task }} failed on {{ join failure.hosts ',' }} at phase {{ phase }}: {{ failure.reason }}"}
`,
    });
    expect(r.collect.status('report')).toEqual({ a: 'ok', b: 'ok', c: 'ok' });
    expect(r.collect.results('report')[0]!.result.msg).toMatch(/^step two failed on b at phase stopped: task "step two" failed on b/);
    expect(r.collect.events.some((e) => e.type === 'on_failure')).toBe(true);
    expect(r.exitCode).toBe(2);
  });

  it('--no-on-failure skips the rescue and prints the rollback command', async () => {
    const r = await runYaml({
      options: { noOnFailure: true },
      playbook: `
- name: upgrade
  hosts: a
  any_errors_fatal: true
  vars: {rollback_command: "omsplay run rollback.yml -i inv --from-run last"}
  tasks:
    - fail: {msg: x}
  on_failure:
    - hosts: all
      tasks:
        - name: report
          debug: {msg: y}
`,
    });
    expect(r.collect.status('report')).toEqual({});
    const w = r.collect.events.find((e) => e.type === 'warning') as { message: string };
    expect(w.message).toMatch(/omsplay run rollback.yml -i inv --from-run last/);
  });

  it('check mode runs no command module and reports what it would do; check_mode: false forces a task', async () => {
    const dir = await workdir();
    const r = await runYaml({
      dir,
      options: { check: true },
      playbook: `
- hosts: a
  tasks:
    - name: would touch
      command: [touch, "${dir}/touched"]
    - name: forced
      command: [echo, forced]
      check_mode: false
    - name: mode
      debug: {msg: "{{ check_mode }}"}
`,
    });
    expect(r.collect.status('would touch')).toEqual({ a: 'skipped' });
    expect(String(r.collect.results('would touch')[0]!.result.msg)).toMatch(/would run/);
    expect(r.collect.results('forced')[0]!.result.stdout).toBe('forced');
    expect(String(r.collect.results('mode')[0]!.result.msg)).toBe('true');
    await expect(readFile(`${dir}/touched`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('tags: --tags selects, always always runs, never only when named, --skip-tags excludes', async () => {
    const pb = `
- hosts: a
  tasks:
    - {name: t-pre, debug: {msg: x}, tags: [preflight]}
    - {name: t-always, debug: {msg: x}, tags: [always]}
    - {name: t-never, debug: {msg: x}, tags: [never, debugging]}
    - {name: t-plain, debug: {msg: x}}
    - name: tagged block
      tags: [backup]
      block:
        - {name: t-in-block, debug: {msg: x}}
`;
    const names = (r: Awaited<ReturnType<typeof runYaml>>) => [...new Set(r.collect.results().map((e) => e.task))];
    expect(names(await runYaml({ playbook: pb }))).toEqual(['t-pre', 't-always', 't-plain', 't-in-block']);
    expect(names(await runYaml({ playbook: pb, options: { tags: ['backup'] } }))).toEqual(['t-always', 't-in-block']);
    expect(names(await runYaml({ playbook: pb, options: { tags: ['debugging'] } }))).toEqual(['t-always', 't-never']);
    expect(names(await runYaml({ playbook: pb, options: { skipTags: ['preflight', 'always'] } }))).toEqual(['t-plain', 't-in-block']);
  });

  it('--tags and --skip-tags never switch off on_failure plays, nor the rescue and always of a selected block', async () => {
    const pb = `
- name: upgrade
  hosts: a
  any_errors_fatal: true
  tasks:
    - name: guarded
      block:
        - {name: stepx, fail: {msg: "stepx broke"}, tags: [stepx]}
      rescue:
        - {name: block rescue, debug: {msg: "rescued {{ failed_task }}"}}
      always:
        - {name: block always, debug: {msg: cleanup}}
    - name: other block
      block:
        - {name: other step, debug: {msg: x}, tags: [other]}
      always:
        - {name: other always, debug: {msg: x}}
    - {name: stepy, fail: {msg: "stepy broke"}, tags: [stepy]}
  on_failure:
    - name: Rescue
      hosts: all
      tasks:
        - {name: put back, debug: {msg: "put back after {{ failure.task }}"}}
        - name: nested
          block:
            - {name: put back inner, debug: {msg: inner}}
`;
    const ran = (r: Awaited<ReturnType<typeof runYaml>>) => [...new Set(r.collect.results().map((e) => e.task))];
    // stepx fails inside a block: its rescue and always run although untagged; the block of other tags is not entered.
    const x = await runYaml({ playbook: pb, options: { tags: ['stepx'] } });
    expect(ran(x)).toEqual(['stepx', 'block rescue', 'block always']);
    expect(x.collect.results('block rescue')[0]!.result.msg).toBe('rescued stepx');
    // stepy fails the play: the on_failure play runs every one of its (untagged) tasks, on every host.
    const y = await runYaml({ playbook: pb, options: { tags: ['stepy'] } });
    expect(ran(y)).toEqual(['stepy', 'put back', 'put back inner']);
    expect(y.collect.status('put back')).toEqual({ a: 'ok', b: 'ok', c: 'ok' });
    expect(y.collect.results('put back')[0]!.result.msg).toBe('put back after stepy');
    expect(y.exitCode).toBe(2);
    // --skip-tags (even of `always` and `all`) does not switch them off either.
    const skip = await runYaml({ playbook: pb, options: { skipTags: ['stepx', 'other', 'always'] } });
    expect(ran(skip)).toEqual(['stepy', 'put back', 'put back inner']);
  });

  it('--start-at-task skips everything before the named task', async () => {
    const r = await runYaml({
      options: { startAtTask: 'second' },
      playbook: '- hosts: a\n  tasks:\n    - {name: first, debug: {msg: x}}\n    - {name: second, debug: {msg: x}}\n    - {name: third, debug: {msg: x}}\n',
    });
    expect([...new Set(r.collect.results().map((e) => e.task))]).toEqual(['second', 'third']);
  });

  it("secrets are masked in every event and in the journal; no_log hides a task's output", async () => {
    const r = await runYaml({
      inventory: `
connection: {connection: local}
vars: {db_password: "S3cr3t-canary", token: !secret tok-canary}
regions: {hz: {hosts: {a: {}}}}
`,
      playbook: `
- hosts: a
  tasks:
    - name: leaks
      command: [echo, "{{ db_password }} {{ token }}"]
    - name: failing leak
      shell: "echo {{ db_password }} >&2; exit 1"
      ignore_errors: true
    - name: hidden
      command: [echo, "plain-but-hidden"]
      no_log: true
      register: h
    - name: still usable
      debug: {msg: "{{ h.stdout }}"}
`,
    });
    const journal = await readFile(r.journalFile, 'utf8');
    const events = JSON.stringify(r.collect.events);
    for (const text of [journal, events]) {
      expect(text).not.toContain('S3cr3t-canary');
      expect(text).not.toContain('tok-canary');
    }
    expect(r.collect.results('leaks')[0]!.result.stdout).toBe('******** ********');
    // The failing command's output is there, masked (not merely absent).
    expect(r.collect.results('failing leak')[0]!.result.stderr).toBe('********');
    expect(journal).toContain('"stdout":"******** ********"');
    expect(r.collect.results('hidden')[0]!.result.censored).toMatch(/no_log/);
    expect(JSON.stringify(r.collect.results('hidden'))).not.toContain('plain-but-hidden');
    expect(r.collect.results('still usable')[0]!.result.msg).toBe('plain-but-hidden');
  });
});

describe('engine: journal records and --from-run', () => {
  it('a later run reads values recorded by the latest real run against the same inventory', async () => {
    const dir = await workdir();
    const upgrade = `
- hosts: all
  tasks:
    - name: remember
      set_fact: {t1: "{{ inventory_hostname }}-t1", dumps: [rm.sql, cm.sql]}
      record: true
`;
    const first = await runYaml({ dir, playbook: upgrade });
    expect(first.exitCode).toBe(0);
    // A later --check run records nothing usable and must not be picked.
    await runYaml({ dir, playbook: upgrade, options: { check: true } });
    const rollback = await runYaml({
      dir,
      fromRun: 'last',
      playbook: `
- hosts: c
  tasks:
    - name: read
      debug: {msg: "{{ from_run.hosts.a.t1 }} {{ join from_run.dumps ',' }} {{ from_run.run_id }}"}
`,
    });
    expect(rollback.collect.results('read')[0]!.result.msg).toBe(`a-t1 rm.sql,cm.sql ${first.runId}`);
    const meta = JSON.parse(await readFile(first.journalFile.replace('journal.jsonl', 'meta.json'), 'utf8'));
    expect(meta.recorded).toEqual(expect.arrayContaining(['t1', 'dumps']));
    expect(meta.exit_code).toBe(0);
  });
});
