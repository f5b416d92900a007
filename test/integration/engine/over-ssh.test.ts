/**
 * The engine over real SSH: the same playbook language against lab hosts (one behind a bastion,
 * one on port 2222), become through sudo with a password, and a host that is down (exit code 3).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { getLab } from '../../lab/context.js';
import { omsplay, statusOf } from '../../support/omsplay.js';

const lab = getLab();
const env = { OMSPLAY_HOME: join(lab.dir, 'omsplay-home-engine'), OMSPLAY_LAB_SUDO_PASS: lab.users.admin.password! };

async function inventory(extraHost = false): Promise<string> {
  const file = await lab.inventory({ file: join(lab.dir, 'engine-ssh.yml'), user: 'admin', become: false, connection: { become_password_env: 'OMSPLAY_LAB_SUDO_PASS' }, groups: { web: ['h1', 'h2', 'h4'] } });
  if (!extraHost) return file;
  // A host that is down: an address of the lab's subnet where nothing answers.
  const doc = (await import('yaml')).parse(await readFile(file, 'utf8'));
  doc.regions.sh.hosts.ghost = { address: lab.descriptor.subnet.replace(/\.0\/24$/, '.250'), connect_timeout: 3 };
  const ghost = join(lab.dir, 'engine-ssh-ghost.yml');
  await writeFile(ghost, stringify(doc));
  return ghost;
}

const PLAYBOOK = `
- name: over ssh
  hosts: all
  tasks:
    - name: who
      command: [id, -un]
      register: who
    - name: root through sudo
      command: [id, -un]
      become: true
      register: root
    - name: per region
      command: [hostname]
      run_once: region
      register: regional
    - name: loop
      shell: "echo {{ n }} >> /tmp/engine-ssh-loop && wc -l < /tmp/engine-ssh-loop"
      loop: [1, 2, 3]
      loop_control: {loop_var: n}
      become: true
    - name: report
      debug: {msg: "{{ who.stdout }}/{{ root.stdout }}/{{ regional.stdout }}"}
`;

describe('the engine over ssh2', () => {
  it('runs the playbook language on lab hosts (bastion, port 2222, become with a sudo password)', async () => {
    const pb = join(lab.dir, 'engine-ssh-pb.yml');
    await writeFile(pb, PLAYBOOK);
    await Promise.all(['h1', 'h2', 'h3', 'h4'].map((h) => lab.exec(h, ['rm', '-f', '/tmp/engine-ssh-loop'])));
    const r = await omsplay(['run', pb, '-i', await inventory(), '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(statusOf(r, 'who')).toEqual({ h1: 'changed', h2: 'changed', h3: 'changed', h4: 'changed' });
    const report = Object.fromEntries(r.events.filter((e) => e.type === 'task_result' && e.task === 'report').map((e) => [e.host, e.result.msg]));
    // h1, h2 in hz: h1's hostname for both; h3, h4 in sh: h3's.
    expect(report).toEqual({ h1: 'admin/root/h1', h2: 'admin/root/h1', h3: 'admin/root/h3', h4: 'admin/root/h3' });
    expect((await lab.exec('h4', ['cat', '/tmp/engine-ssh-loop'])).stdout).toBe('1\n2\n3\n');
    expect(JSON.stringify(r.events)).not.toContain(lab.users.admin.password!);
  });

  it('a host that is down is unreachable, the others finish, exit code 3', async () => {
    const pb = join(lab.dir, 'engine-ssh-pb.yml');
    await writeFile(pb, PLAYBOOK);
    const r = await omsplay(['run', pb, '-i', await inventory(true), '--json'], { env });
    expect(r.code).toBe(3);
    expect(statusOf(r, 'who').ghost).toBe('unreachable');
    expect(statusOf(r, 'report')).toEqual({ h1: 'ok', h2: 'ok', h3: 'ok', h4: 'ok' });
    const recap = r.events.find((e) => e.type === 'recap')!;
    expect(recap.hosts.ghost).toMatchObject({ unreachable: 1, failed: 0 });
    const why = r.events.find((e) => e.type === 'task_result' && e.host === 'ghost')!;
    expect(String(why.result.msg)).toMatch(/ghost|10\.77/);
  });
});
