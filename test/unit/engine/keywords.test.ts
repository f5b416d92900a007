import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Reporter, RunEvent } from '../../../lib/engine/events.js';
import { runsDir } from '../../../lib/engine/state-dir.js';
import { runYaml, workdir } from './harness.js';

describe('engine: task keywords', () => {
  it('when: booleans, bare expressions, templates and lists (all must hold)', async () => {
    const r = await runYaml({
      playbook: `
- hosts: all
  tasks:
    - name: bare
      debug: {msg: hz}
      when: (eq region "hz")
    - name: template
      debug: {msg: sh}
      when: "{{ eq region 'sh' }}"
    - name: list
      debug: {msg: both}
      when: [true, (eq region "hz"), (eq inventory_hostname "b")]
    - name: string false is false
      debug: {msg: never}
      when: "false"
`,
    });
    expect(r.exitCode).toBe(0);
    expect(r.collect.status('bare')).toEqual({ a: 'ok', b: 'ok', c: 'skipped' });
    expect(r.collect.status('template')).toEqual({ a: 'skipped', b: 'skipped', c: 'ok' });
    expect(r.collect.status('list')).toEqual({ a: 'skipped', b: 'ok', c: 'skipped' });
    expect(r.collect.status('string false is false')).toEqual({ a: 'skipped', b: 'skipped', c: 'skipped' });
  });

  it('loop with loop_control.loop_var, per-item when, and registered results', async () => {
    const r = await runYaml({
      playbook: `
- hosts: a
  tasks:
    - name: loop
      command: [echo, "{{ n }}"]
      loop: [1, 2, 3]
      loop_control: {loop_var: n}
      when: (ne n 2)
      register: looped
    - name: count
      debug: {msg: "{{ length looped.results }} {{ looped.results.0.stdout }} {{ looped.results.1.skipped }}"}
`,
    });
    expect(r.exitCode).toBe(0);
    expect(r.collect.results('count')[0]!.result.msg).toBe('3 1 true');
  });

  it('loop_control.parallel runs items at once, keeps results in item order, and fails the task only after every item ended', async () => {
    const r = await runYaml({
      playbook: `
- hosts: a
  tasks:
    - name: at once
      shell: "sleep 0.8; echo {{ n }}; test {{ n }} -ne 2"
      loop: [1, 2, 3, 4]
      loop_control: {loop_var: n, parallel: 4}
      register: looped
      ignore_errors: true
    - name: one after another
      shell: "sleep 0.8; echo {{ n }}"
      loop: [1, 2]
      loop_control: {loop_var: n}
    - name: order
      debug: {msg: "{{ looped.results.0.stdout }}{{ looped.results.1.stdout }}{{ looped.results.2.stdout }}{{ looped.results.3.stdout }} {{ looped.results.1.failed }}"}
`,
    });
    expect(r.exitCode).toBe(0);
    const ms = (task: string) => r.collect.results(task)[0]!.duration_ms;
    // Four items of 0.8 s at once take well under their sum (3.2 s); two one after another take their sum.
    expect(ms('at once')).toBeLessThan(2400);
    expect(ms('one after another')).toBeGreaterThanOrEqual(1600);
    expect(r.collect.results('order')[0]!.result.msg).toBe('1234 true');
    // Every item ended (and was reported) before the failed task's own result.
    const evs = r.collect.events.filter((e) => (e.type === 'item_result' || e.type === 'task_result') && e.task === 'at once').map((e) => e.type);
    expect(evs).toEqual(['item_result', 'item_result', 'item_result', 'item_result', 'task_result']);
    expect(r.collect.results('at once')[0]!.result.msg).toBe('1 of 4 items failed — 2: non-zero return code 1');
  });

  it('loop_control.parallel from a template (a site setting) bounds the items at once; a bad value fails the task before any item runs', async () => {
    const dir = await workdir();
    // Each item marks itself running, counts the running items, then leaves: the highest count is the parallelism.
    const item = `mkdir {{ dir }}/run-{{ n }} && ls -d {{ dir }}/run-* | wc -l > {{ dir }}/seen-{{ n }} && sleep 0.6 && rmdir {{ dir }}/run-{{ n }}`;
    const r = await runYaml({
      dir,
      extraVars: [`dir=${dir}`],
      playbook: `
- hosts: a
  vars: {metadb_parallel: 2, bad_parallel: 0}
  tasks:
    - name: two at once
      shell: "${item}"
      loop: [1, 2, 3, 4, 5]
      loop_control: {loop_var: n, parallel: "{{ metadb_parallel }}"}
    - name: bad setting
      shell: "touch {{ dir }}/ran-{{ n }}"
      loop: [1, 2]
      loop_control: {loop_var: n, parallel: "{{ bad_parallel }}"}
`,
    });
    const seen = await Promise.all([1, 2, 3, 4, 5].map(async (n) => Number((await readFile(join(dir, `seen-${n}`), 'utf8')).trim())));
    expect(Math.max(...seen)).toBe(2);
    expect(r.collect.status('bad setting')).toEqual({ a: 'failed' });
    expect(r.collect.results('bad setting')[0]!.result.msg).toMatch(/loop_control.parallel must be a whole number of at least 1, got 0/);
    expect(readdirSync(dir).filter((f) => f.startsWith('ran-'))).toEqual([]);
    expect(r.exitCode).not.toBe(0);
  });

  it('a loop prints one line per item, with loop_control.label, also in the failure text; ignored items count as ignored', async () => {
    const r = await runYaml({
      plain: true,
      playbook: `
- hosts: a
  tasks:
    - name: per item
      shell: "test {{ svc.port }} -lt 9000"
      loop: [{name: store, port: 8080}, {name: ghana, port: 9090}, {name: cm, port: 8088}]
      loop_control: {loop_var: svc, label: "{{ svc.name }}"}
      ignore_errors: true
    - name: unlabelled
      debug: {msg: "n={{ n }}"}
      vars: {n: "{{ item }}"}
      loop: [1, 2]
`,
    });
    expect(r.exitCode).toBe(0);
    const items = r.collect.events.filter((e) => e.type === 'item_result' && e.task === 'per item') as Array<{ label: string; status: string }>;
    expect(items.map((e) => [e.label, e.status])).toEqual([
      ['store', 'changed'],
      ['ghana', 'failed'],
      ['cm', 'changed'],
    ]);
    const lines = r.plain.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    // One line per item, in order, before the task's own line; the label stands for the item (not its JSON).
    const [store, ghana, cm, whole] = [at(/^changed: \[a\] \(item=store\)$/), at(/^failed: \[a\] \(item=ghana\) \(ignored\) => non-zero return code 1 \| rc=1 \| command: test 9090 -lt 9000$/), at(/^changed: \[a\] \(item=cm\)$/), at(/^failed: \[a\] \d+ ms \(ignored\) => 1 of 3 items failed/)];
    expect([store, ghana, cm, whole].every((i) => i >= 0), r.plain).toBe(true);
    expect(store < ghana && ghana < cm && cm < whole).toBe(true);
    expect(r.plain).not.toContain('"port"');
    expect(r.collect.results('per item')[0]!.result.msg).toBe('1 of 3 items failed — ghana: non-zero return code 1');
    expect(r.plain).toMatch(/^ok: \[a\] \(item=1\) => n=1\nok: \[a\] \(item=2\) => n=2$/m);
    // Ansible's recap: failed=0, ignored=1 (one task ignored, however many of its items failed).
    expect(r.collect.recap().a).toMatchObject({ failed: 0, ignored: 1, ok: 1 });
    expect(r.plain).toMatch(/^a\s+: ok=1\s+changed=0\s+unreachable=0\s+failed=0\s+skipped=0\s+rescued=0\s+ignored=1$/m);
  });

  it('until/retries/delay retries until the condition holds, and fails with the last output when it never does', async () => {
    const dir = await workdir();
    const r = await runYaml({
      dir,
      playbook: `
- hosts: a
  tasks:
    - name: comes up late
      shell: "n=$(cat ${dir}/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${dir}/n; echo $n"
      register: up
      until: (eq up.stdout "3")
      retries: 5
      delay: 0
    - name: never
      command: [echo, nope]
      register: never
      until: (eq never.stdout "yes")
      retries: 2
      delay: 0
`,
    });
    expect(r.collect.status('comes up late')).toEqual({ a: 'changed' });
    expect(r.collect.results('comes up late')[0]!.result.attempts).toBe(3);
    const never = r.collect.results('never')[0]!;
    expect(never.status).toBe('failed');
    expect(never.result.msg).toMatch(/gave up after 3 attempts/);
    expect(never.result.stdout).toBe('nope');
    expect(r.exitCode).toBe(2);
  });

  it('failed_when, changed_when and ignore_errors', async () => {
    const r = await runYaml({
      playbook: `
- hosts: a
  tasks:
    - name: rc 3 is fine
      shell: "exit 3"
      register: res
      failed_when: (gt res.rc 5)
      changed_when: false
    - name: ok output is a failure
      command: [echo, ERROR]
      register: out
      failed_when: (contains out.stdout "ERROR")
      ignore_errors: true
    - name: still runs
      debug: {msg: after}
`,
    });
    expect(r.collect.status('rc 3 is fine')).toEqual({ a: 'ok' });
    expect(r.collect.status('ok output is a failure')).toEqual({ a: 'failed' });
    expect(r.collect.results('ok output is a failure')[0]!.ignored).toBe(true);
    expect(r.collect.status('still runs')).toEqual({ a: 'ok' });
    // As Ansible's recap: an ignored failure is not a failure.
    expect(r.collect.recap().a).toMatchObject({ ok: 2, failed: 0, ignored: 1 });
    expect(r.exitCode).toBe(0);
  });

  it('block / rescue / always: rescue runs on failed hosts only, always on all, the host is rescued', async () => {
    const r = await runYaml({
      playbook: `
- hosts: all
  tasks:
    - name: guarded
      block:
        - name: fails on b
          fail: {msg: "b broke"}
          when: (eq inventory_hostname "b")
        - name: after failure
          debug: {msg: continued}
      rescue:
        - name: rescue
          debug: {msg: "rescued {{ failed_task }}"}
      always:
        - name: always
          debug: {msg: always}
    - name: next
      debug: {msg: next}
`,
    });
    expect(r.exitCode).toBe(0);
    expect(r.collect.status('after failure')).toEqual({ a: 'ok', c: 'ok' });
    expect(r.collect.status('rescue')).toEqual({ b: 'ok' });
    expect(r.collect.results('rescue')[0]!.result.msg).toBe('rescued fails on b');
    expect(r.collect.status('always')).toEqual({ a: 'ok', b: 'ok', c: 'ok' });
    expect(r.collect.status('next')).toEqual({ a: 'ok', b: 'ok', c: 'ok' });
    expect(r.collect.recap().b).toMatchObject({ rescued: 1, failed: 1 });
  });

  it('a failed host leaves the play; always still runs on it when there is no rescue', async () => {
    const r = await runYaml({
      playbook: `
- hosts: all
  tasks:
    - block:
        - name: boom
          fail: {msg: boom}
          when: (eq inventory_hostname "a")
      always:
        - name: cleanup
          debug: {msg: cleanup}
    - name: later
      debug: {msg: later}
`,
    });
    expect(r.exitCode).toBe(2);
    expect(r.collect.status('cleanup')).toEqual({ a: 'ok', b: 'ok', c: 'ok' });
    expect(r.collect.status('later')).toEqual({ b: 'ok', c: 'ok' });
  });

  it('run_once runs on one host and shares the result; run_once: region runs once per region', async () => {
    const r = await runYaml({
      playbook: `
- hosts: all
  tasks:
    - name: once
      command: [echo, "{{ inventory_hostname }}"]
      run_once: true
      register: first
    - name: per region
      command: [echo, "{{ inventory_hostname }}"]
      run_once: region
      register: regional
    - name: seen
      debug: {msg: "{{ first.stdout }}{{ regional.stdout }}"}
`,
    });
    expect(Object.keys(r.collect.status('once'))).toEqual(['a']);
    expect(Object.keys(r.collect.status('per region')).sort()).toEqual(['a', 'c']);
    expect(r.collect.results('seen').map((e) => e.result.msg)).toEqual(['aa', 'aa', 'ac']);
  });

  it('serial runs rolling batches, each finishing before the next', async () => {
    const r = await runYaml({
      playbook: `
- hosts: all
  serial: [1, "100%"]
  tasks:
    - name: t1
      debug: {msg: x}
    - name: t2
      debug: {msg: x}
`,
    });
    const plays = r.collect.events.filter((e) => e.type === 'play_start');
    expect(plays.map((p) => (p as { hosts: string[] }).hosts)).toEqual([['a'], ['b', 'c']]);
    // In event order: batch 1 (a) runs every task before batch 2 (b, c) starts its first.
    const order = r.collect.events.flatMap((e) => (e.type === 'play_start' ? ['play'] : e.type === 'task_result' ? [`${e.host}:${e.task}`] : []));
    expect(order.slice(0, 4)).toEqual(['play', 'a:t1', 'a:t2', 'play']);
    expect(order.slice(4).sort()).toEqual(['b:t1', 'b:t2', 'c:t1', 'c:t2']);
    expect(order.indexOf('b:t2')).toBeGreaterThan(order.indexOf('c:t1'));
  });

  it("delegate_to runs on the control node (localhost) or another host, with the task host's variables", async () => {
    const r = await runYaml({
      playbook: `
- hosts: c
  tasks:
    - name: own host
      shell: 'echo "\${OMSPLAY_TEST_HOST:-control} {{ region }}"'
    - name: delegated
      shell: 'echo "\${OMSPLAY_TEST_HOST:-control} {{ region }}"'
      delegate_to: localhost
    - name: delegated to b
      shell: 'echo "\${OMSPLAY_TEST_HOST:-control} {{ region }}"'
      delegate_to: b
`,
    });
    expect(r.exitCode).toBe(0);
    // Where each command ran (the harness marks every inventory host's commands) and whose variables it saw.
    expect(r.collect.results('own host')[0]!.result.stdout).toBe('c sh');
    const res = r.collect.results('delegated')[0]!;
    expect(res.delegated_to).toBe('localhost');
    expect(res.host).toBe('c');
    expect(res.result.stdout).toBe('control sh');
    const toB = r.collect.results('delegated to b')[0]!;
    expect(toB.delegated_to).toBe('b');
    expect(toB.result.stdout).toBe('b sh');
  });

  it('set_fact and registered values are visible in later plays; hostvars reads other hosts', async () => {
    const r = await runYaml({
      playbook: `
- hosts: all
  tasks:
    - set_fact: {answer: "{{ inventory_hostname }}-42", n: 7}
- hosts: c
  tasks:
    - name: read
      debug: {msg: "{{ answer }} {{ hostvars.a.answer }} {{ add n 1 }}"}
`,
    });
    expect(r.collect.results('read')[0]!.result.msg).toBe('c-42 a-42 8');
  });

  it('handlers run at the end of the play, once, only when notified by a change', async () => {
    const r = await runYaml({
      playbook: `
- hosts: all
  tasks:
    - name: change
      command: ["true"]
      notify: restart
      when: (eq region "hz")
    - name: no change
      command: ["true"]
      changed_when: false
      notify: other
    - name: last task
      debug: {msg: last}
  handlers:
    - name: restart
      debug: {msg: restarted}
    - name: other handler
      listen: other
      debug: {msg: never}
`,
    });
    expect(r.collect.status('restart')).toEqual({ a: 'ok', b: 'ok' });
    expect(r.collect.status('other handler')).toEqual({});
    // At the end of the play: after its last task, before the play ends; once per host.
    const order = r.collect.events.flatMap((e) => (e.type === 'task_result' ? [`${e.task}:${e.host}`] : e.type === 'play_end' ? ['end'] : []));
    expect(order.slice(-3)).toEqual(['restart:a', 'restart:b', 'end']);
    expect(order.indexOf('restart:a')).toBeGreaterThan(order.lastIndexOf('last task:c'));
    expect(order.filter((x) => x.startsWith('restart:'))).toHaveLength(2);
  });

  it('import_tasks and include_tasks pass their vars', async () => {
    const r = await runYaml({
      files: { 'tasks/greet.yml': '- name: greet\n  debug: {msg: "hi {{ who }}"}\n', 'tasks/bye.yml': '- name: bye\n  debug: {msg: "bye {{ who }}"}\n' },
      playbook: `
- hosts: a
  vars: {which: bye}
  tasks:
    - import_tasks: tasks/greet.yml
      vars: {who: ops}
    - include_tasks: tasks/greet.yml
      vars: {who: dev}
    - include_tasks: "tasks/{{ which }}.yml"
      vars: {who: all}
`,
    });
    expect(r.collect.results('greet').map((e) => e.result.msg)).toEqual(['hi ops', 'hi dev']);
    expect(r.collect.results('bye')[0]!.result.msg).toBe('bye all');
  });

  it("an import's or include's `when` decides before its vars are rendered: a false one never renders them", async () => {
    const r = await runYaml({
      files: { 'tasks/greet.yml': '- name: greet\n  debug: {msg: "hi {{ who }}"}\n' },
      playbook: `
- hosts: a, b
  tasks:
    - name: t1 only on a
      set_fact: {t1: {name: ops}}
      when: (eq inventory_hostname "a")
    - name: greet the t1 user
      import_tasks: tasks/greet.yml
      vars: {who: "{{ t1.name }}"}
      when: (defined t1)
    - name: include it too
      include_tasks: tasks/greet.yml
      vars: {who: "{{ t1.name }}"}
      when: (defined t1)
    # The condition may read the node's own vars; those it does not read stay unrendered.
    - name: by its own switch
      import_tasks: tasks/greet.yml
      vars: {go: false, who: "{{ t1.name }}"}
      when: go
    - name: after
      debug: {msg: done}
`,
    });
    // b has no t1: skipped, not failed, and it goes on.
    expect(r.collect.results('greet').map((e) => `${e.host}:${e.result.msg}`)).toEqual(['a:hi ops', 'a:hi ops']);
    expect(r.collect.status('after')).toEqual({ a: 'ok', b: 'ok' });
    expect(r.collect.results().filter((e) => e.status === 'failed')).toEqual([]);
    expect(r.collect.recap().b).toMatchObject({ failed: 0, skipped: 4 });
  });

  it("an import's or include's vars or when that cannot be rendered fail the host with a task_result naming file:line:col and the variable", async () => {
    const r = await runYaml({
      files: { 'tasks/greet.yml': '- name: greet\n  debug: {msg: "hi {{ who }}"}\n', 'tasks/plain.yml': '- name: plain\n  debug: {msg: hi}\n' },
      playbook: `
- hosts: a, b
  tasks:
    - name: t1 and t2 only on a
      set_fact: {t1: {name: ops}, t2: {name: dev}}
      when: (eq inventory_hostname "a")
    - include_tasks: tasks/greet.yml
      vars: {who: "{{ t2.name }}"}
      when: (not (defined t1))
      ignore_errors: true
    - name: a condition that cannot be evaluated
      import_tasks: tasks/plain.yml
      when: (eq t1.name "ops")
      ignore_errors: true
    - name: greet the t1 user
      import_tasks: tasks/greet.yml
      vars: {who: "{{ t1.name }}"}
    - name: after
      debug: {msg: done}
`,
      plain: true,
    });
    // An include without a name is named by its file, in its task_start and task_result alike.
    const include = r.collect.results().find((e) => e.task.startsWith('include_tasks'))!;
    expect(include).toMatchObject({ host: 'b', status: 'failed', ignored: true, task: expect.stringMatching(/^include_tasks .*tasks\/greet\.yml$/) });
    expect(include.result.msg).toMatch(/play\.yml:7:7: validation error: undefined variable "t2"/);
    expect(r.collect.events.some((e) => e.type === 'task_start' && e.task === include.task)).toBe(true);
    expect(r.collect.status('a condition that cannot be evaluated')).toEqual({ b: 'failed' });
    expect(r.collect.results('a condition that cannot be evaluated')[0]!.result.msg).toMatch(/play\.yml:11:7: .*undefined variable "t1"/);
    expect(r.collect.status('plain')).toEqual({ a: 'ok' });
    // Not ignored: b fails there and goes no further; a greets.
    expect(r.collect.status('greet the t1 user')).toEqual({ b: 'failed' });
    expect(r.collect.results('greet the t1 user')[0]!.result.msg).toMatch(/play\.yml:15:7: validation error: undefined variable "t1" in task "greet the t1 user" in "\{\{ t1\.name \}\}"/);
    expect(r.collect.status('greet')).toEqual({ a: 'ok' });
    expect(r.collect.status('after')).toEqual({ a: 'ok' });
    // Every reporter shows why.
    expect(r.plain).toMatch(/TASK \[greet the t1 user\]\nfailed: \[b\] .*undefined variable "t1"/);
    expect(r.collect.recap().b).toMatchObject({ failed: 1, ignored: 2 });
  });

  it("an include whose loop is not a list fails as a task of its own: its task_start, then the hosts' results", async () => {
    const r = await runYaml({
      files: { 'tasks/plain.yml': '- name: plain\n  debug: {msg: hi}\n' },
      playbook: `
- hosts: a, b
  tasks:
    - include_tasks: tasks/plain.yml
      loop: "{{ inventory_hostname }}"
      ignore_errors: true
    - name: after
      debug: {msg: done}
`,
    });
    const events = r.collect.events.filter((e) => e.type === 'task_start' || e.type === 'task_result').map((e) => `${e.type}:${e.task}`);
    const name = events[0]!.slice('task_start:'.length);
    expect(name).toMatch(/^include_tasks .*tasks\/plain\.yml$/);
    expect(events.slice(0, 3)).toEqual([`task_start:${name}`, `task_result:${name}`, `task_result:${name}`]);
    expect(r.collect.results(name)[0]!.result.msg).toMatch(/loop must be a list, got string/);
    expect(r.collect.status('after')).toEqual({ a: 'ok', b: 'ok' });
  });

  it('a template that renders to nothing is an error naming it, never debug\'s default "Hello world!"', async () => {
    const r = await runYaml({
      playbook: `
- hosts: a
  vars: {found: {}}
  tasks:
    - name: undefined value
      debug: {msg: "{{ from_run }}"}
      ignore_errors: true
    - name: missing key
      debug:
        msg: "{{ lookup found 'nope' }}"
      ignore_errors: true
    - name: empty text
      debug: {msg: "{{#if false}}x{{/if}}"}
    - name: an undefined fact is allowed
      set_fact: {maybe: "{{ dig found 'nope' }}"}
    - name: tested with defined
      debug: {msg: "defined={{ defined maybe }}"}
`,
    });
    expect(r.collect.status('undefined value')).toEqual({ a: 'failed' });
    expect(r.collect.results('undefined value')[0]!.result.msg).toMatch(/argument `msg` renders to nothing: \{\{ from_run \}\} is undefined/);
    expect(r.collect.results('missing key')[0]!.result.msg).toMatch(/renders to nothing: \{\{ lookup found 'nope' \}\} is undefined/);
    expect(r.collect.results('empty text')[0]!.result.msg).toBe('');
    // set_fact keeps an undefined value: `defined` tests it (the shipped rollback relies on this).
    expect(r.collect.status('an undefined fact is allowed')).toEqual({ a: 'ok' });
    expect(r.collect.results('tested with defined')[0]!.result.msg).toBe('defined=false');
    expect(JSON.stringify(r.collect.events)).not.toContain('Hello world!');
  });

  it('include_tasks with loop runs the file once per item, per host, with item and loop_var; vars may read the item', async () => {
    const r = await runYaml({
      files: {
        'tasks/svc.yml': '- name: per svc\n  debug: {msg: "{{ inventory_hostname }}:{{ svc }}:{{ x }}:{{ loop_index }}"}\n',
        'tasks/hz.yml': '- name: region file\n  debug: {msg: "hz {{ inventory_hostname }} {{ item }}"}\n',
        'tasks/sh.yml': '- name: region file\n  debug: {msg: "sh {{ inventory_hostname }} {{ item }}"}\n',
      },
      playbook: `
- hosts: all
  tasks:
    - include_tasks: tasks/svc.yml
      loop: "{{ services }}"
      loop_control: {loop_var: svc}
      vars:
        services: [store, "{{ region }}-cm"]
        x: "{{ svc }}!"
    - include_tasks: "tasks/{{ region }}.yml"
      loop: [1, 2]
      when: (ne item 2)
`,
    });
    expect(r.exitCode).toBe(0);
    const msgs = (task: string) => r.collect.results(task).map((e) => e.result.msg);
    // Item 1 on every host, then item 2: each host with its own items.
    expect(msgs('per svc')).toEqual(['a:store:store!:0', 'b:store:store!:0', 'c:store:store!:0', 'a:hz-cm:hz-cm!:1', 'b:hz-cm:hz-cm!:1', 'c:sh-cm:sh-cm!:1']);
    // The templated name is rendered per host (c is in region sh); `when` is per item.
    expect(msgs('region file').sort()).toEqual(['hz a 1', 'hz b 1', 'sh c 1']);
  });

  it('a templated include_tasks name that leads to a missing file fails only the hosts whose name led there', async () => {
    const r = await runYaml({
      files: { 'tasks/hz.yml': '- name: region file\n  debug: {msg: "hz {{ inventory_hostname }}"}\n' },
      playbook: `
- hosts: all
  tasks:
    - name: per region
      include_tasks: "tasks/{{ region }}.yml"
    - name: after
      debug: {msg: "{{ inventory_hostname }}"}
`,
    });
    expect(r.collect.status('per region')).toEqual({ c: 'failed' });
    expect(r.collect.results('per region')[0]!.result.msg).toMatch(/task file `tasks\/\{\{ region \}\}\.yml` \(tasks\/sh\.yml\) does not exist/);
    expect(r.collect.results('region file').map((e) => e.result.msg)).toEqual(['hz a', 'hz b']);
    expect(r.collect.status('after')).toEqual({ a: 'ok', b: 'ok' });
  });

  it('timeout ends a task that runs too long', async () => {
    const r = await runYaml({
      playbook: `
- hosts: a
  tasks:
    - name: slow
      command: [sleep, "5"]
      timeout: 1
`,
    });
    expect(r.collect.status('slow')).toEqual({ a: 'failed' });
    expect(r.collect.results('slow')[0]!.result.msg).toMatch(/timed out after 1 s/);
  });

  it('pause fails clearly in a non-interactive run without --yes, and passes with it', async () => {
    const pb = `
- hosts: a
  tasks:
    - name: confirm
      pause: {prompt: "restore dumps?"}
`;
    const no = await runYaml({ playbook: pb });
    expect(no.collect.status('confirm')).toEqual({ a: 'failed' });
    expect(String(no.collect.results('confirm')[0]!.result.msg)).toMatch(/--yes/);
    const yes = await runYaml({ playbook: pb, options: { yes: true } });
    expect(yes.collect.status('confirm')).toEqual({ a: 'ok' });
  });

  it('writes the journal as tasks finish: a recorded value is on disk before the next task starts; every event, in order', async () => {
    // Reads the journal file at the moment the next task starts (reporters hear events synchronously).
    let journalAtNextTask = '';
    let runId = '';
    const events: RunEvent[] = [];
    const spy: Reporter = {
      event(e) {
        events.push(e);
        if (e.type === 'run_start') runId = e.run_id;
        if (e.type === 'task_start' && e.task === 'next') journalAtNextTask = readFileSync(join(runsDir(), runId, 'journal.jsonl'), 'utf8');
      },
      async close() {},
    };
    const r = await runYaml({
      options: { reporters: [spy] },
      playbook: `
- hosts: a
  tasks:
    - name: remember
      set_fact: {backup_dir: /data/b-1}
      record: true
    - name: next
      debug: {msg: "{{ backup_dir }}"}
`,
    });
    expect(r.exitCode).toBe(0);
    const seen = journalAtNextTask.trim().split('\n').map((l) => JSON.parse(l));
    expect(seen).toContainEqual({ type: 'record', host: 'a', name: 'backup_dir', value: '/data/b-1' });
    expect(seen.some((e) => e.type === 'task_result' && e.task === 'remember')).toBe(true);
    // The whole journal: every event of the run, in the order reporters heard them (records beside them).
    const lines = (await readFile(r.journalFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type !== 'record').map((l) => l.type)).toEqual(events.map((e) => e.type));
    expect(lines[0].type).toBe('run_start');
    expect(lines.at(-1).type).toBe('run_end');
  });
});
