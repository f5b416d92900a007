/**
 * A login user whose sudo allows only docker (lab users dockerop: NOPASSWD, dockerpw: with its password), with
 * `become: true` and `become_method: sudo_direct`, through the omsplay CLI: config.yaml (root, 0600) is read
 * through the container that mounts it, even a stopped one; the image tar is staged in the login user's home,
 * checksummed as that user and loaded with `docker load` under sudo; a command sudo refuses fails with a message
 * naming it and the sudoers rule, not with a misleading hint.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLab } from '../../lab/context.js';
import { omsplay } from '../../support/omsplay.js';

const lab = getLab();
const env = { OMSPLAY_HOME: join(lab.dir, 'omsplay-home-docker-only-sudo') };
const TAG = 'omsplay-lab/dsudo:1';
const CFG = '/data/dsudo/config.yaml';
let work = '';
let imageTar = '';

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'omsplay-dsudo-'));
  // An image tar (docker save format) on the control node only.
  const base = await lab.importBusybox('h3');
  await lab.docker('h3', ['tag', base, TAG], { check: true });
  imageTar = join(work, 'dsudo image.tar');
  await lab.docker('h3', ['save', '-o', imageTar, TAG], { check: true });
  for (const h of ['h1', 'h2']) {
    const img = await lab.importBusybox(h);
    await lab.docker(h, ['rm', '-f', 'dsudo_old'], { check: false });
    await lab.docker(h, ['rmi', '-f', TAG], { check: false });
    // config.yaml readable by root alone, mounted by a container that is then stopped (as during a rollback).
    await lab.sh(
      h,
      `mkdir -p /data/dsudo && chmod 700 /data/dsudo && printf 'oms_meta_host: metadb\\noms_meta_port: 3306\\noms_meta_user: oms\\noms_meta_password: dsudo-secret-pw\\ndrc_rm_db: rm\\ndrc_cm_db: cm\\ndrc_cm_heartbeat_db: hb\\ncm_region: r-${h}\\ncm_nodes: [1.2.3.4]\\n' > ${CFG} && chmod 600 ${CFG}`,
      { check: true },
    );
    await lab.docker(h, ['run', '-d', '--name', 'dsudo_old', '-v', `${CFG}:/home/admin/conf/config.yaml`, img, 'sleep', '3600'], { check: true });
    await lab.docker(h, ['stop', '-t', '0', 'dsudo_old'], { check: true });
    await lab.exec(h, ['rm', '-rf', `/home/${h === 'h1' ? 'dockerop' : 'dockerpw'}/stage`]);
  }
}, 300_000);

afterAll(async () => {
  for (const h of ['h1', 'h2']) {
    await lab.docker(h, ['rm', '-f', 'dsudo_old'], { check: false });
    await lab.docker(h, ['rmi', '-f', TAG], { check: false });
    await lab.exec(h, ['rm', '-rf', '/data/dsudo']);
  }
  await lab.docker('h3', ['rmi', '-f', TAG], { check: false });
  if (work) await rm(work, { recursive: true, force: true });
});

async function inventoryFor(user: 'dockerop' | 'dockerpw', host: string, extra: Record<string, unknown> = {}): Promise<string> {
  return lab.inventory({
    file: join(work, `inv-${user}.yml`),
    hosts: [host],
    user,
    become: true,
    becomePasswordEnv: 'OMSPLAY_LAB_DOCKER_SUDO_PASS',
    connection: { become_method: 'sudo_direct', ...extra },
  });
}

const BOOK = `- name: Docker-only sudo
  hosts: all
  tasks:
    - name: Read config.yaml
      oms.config:
        path: ${CFG}
      register: cfg
    - name: Stage dir in the login user's home
      command: [mkdir, -p, "{{ ansible_user_dir }}/stage"]
    - name: Stage the image tar
      copy:
        src: IMAGE_TAR
        dest: "{{ ansible_user_dir }}/stage/img.tar"
    - name: Checksum as the login user
      command: [sha256sum, "{{ ansible_user_dir }}/stage/img.tar"]
      register: sum
    - name: Load it under sudo
      docker.image:
        src: "{{ ansible_user_dir }}/stage/img.tar"
        sha256: "{{ get (split sum.stdout ' ') 0 }}"
      register: loaded
    - name: Report
      debug:
        msg: "via={{ cfg.read_via }} region={{ cfg.region }} loaded={{ get loaded.loaded 0 }}"
`;

describe('docker-only sudo with become_method sudo_direct', () => {
  for (const [user, host] of [
    ['dockerop', 'h1'],
    ['dockerpw', 'h2'],
  ] as const) {
    it(`${user} on ${host}: config.yaml through the stopped container, image staged in the home and loaded with docker load`, async () => {
      const inv = await inventoryFor(user, host);
      const book = join(work, `book-${user}.yml`);
      await writeFile(book, BOOK.replace('IMAGE_TAR', JSON.stringify(imageTar)).replaceAll('{{ ansible_user_dir }}', `/home/${user}`));
      const r = await omsplay(['run', book, '-i', inv], { env: { ...env, OMSPLAY_LAB_DOCKER_SUDO_PASS: lab.users[user].password! } });
      expect(r.stderr + r.stdout).toContain(`via=dsudo_old:/home/admin/conf/config.yaml region=r-${host} loaded=${TAG}`);
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).not.toContain('dsudo-secret-pw');
      expect(r.stdout + r.stderr).not.toContain(lab.users[user].password!);
      // Loaded into the host's dockerd; the staged tar belongs to the login user (written with its rights).
      expect((await lab.docker(host, ['image', 'inspect', '-f', '{{.Id}}', TAG])).code).toBe(0);
      expect((await lab.exec(host, ['stat', '-c', '%U', `/home/${user}/stage/img.tar`])).stdout.trim()).toBe(user);
    });
  }

  it('a command sudo refuses: the failure names it and the sudoers rule that would allow it', async () => {
    const inv = await inventoryFor('dockerop', 'h1', { become_commands: ['docker', 'cat'] });
    const book = join(work, 'book-refused.yml');
    await writeFile(book, `- name: Refused\n  hosts: all\n  tasks:\n    - name: Read config.yaml\n      oms.config:\n        path: ${CFG}\n`);
    const r = await omsplay(['run', book, '-i', inv], { env });
    expect(r.code).toBe(2);
    const out = r.stdout + r.stderr;
    expect(out).toContain('sudo on h1 refused for dockerop to run `cat -- /data/dsudo/config.yaml` as root');
    expect(out).toContain('dockerop ALL=(root) NOPASSWD: /usr/bin/cat');
    expect(out).not.toContain('config.yaml mount');
  });
});
