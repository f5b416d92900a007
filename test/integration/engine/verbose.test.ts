/**
 * -vvv over real SSH (issue 11, point 10): how each host is reached — user, address, port, key, become — and every
 * command with its become, the sudo password never shown.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getLab } from '../../lab/context.js';
import { DEFAULT_SUDO_PASSWORD_ENV } from '../../lab/inventory.js';
import { omsplay } from '../../support/omsplay.js';

const lab = getLab();

describe('-vvv', () => {
  it('shows the ssh connection and the become of each command, never the sudo password', async () => {
    const inv = await lab.inventory({ hosts: ['h1'], user: 'admin', become: true });
    const book = join(lab.dir, 'verbose-vvv.yml');
    await writeFile(book, '- name: Who\n  hosts: h1\n  tasks:\n    - name: whoami\n      command: [id, -un]\n');
    const admin = lab.users.admin;
    const h1 = lab.hosts.find((h) => h.name === 'h1')!;
    const env = { OMSPLAY_HOME: join(lab.dir, 'omsplay-home-verbose'), [DEFAULT_SUDO_PASSWORD_ENV]: admin.password! };
    const r = await omsplay(['run', book, '-i', inv, '--plain', '-vvv'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`<h1> connecting: ssh admin@${h1.address}:${h1.port}, key ${admin.keyFile}, connect timeout 10 s, become root via sudo\n`);
    expect(r.stdout).toMatch(/<h1> connected in \d+ ms\n/);
    expect(r.stdout).toMatch(/<h1> EXEC \[become root via sudo \(sudo password on stdin\)\]: id -un\n/);
    expect(r.stdout).toContain('"stdout":"root"');
    expect(r.stdout + r.stderr).not.toContain(admin.password!);
    // Without -vvv, none of it.
    const quiet = await omsplay(['run', book, '-i', inv, '--plain', '-vv'], { env });
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).not.toContain('<h1>');
  });
});
