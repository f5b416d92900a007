import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { template } from '../../../../lib/modules/template.js';
import { makeContext, tempDir } from './context.js';

let tmp: ReturnType<typeof tempDir>;
let pb: string;
beforeEach(() => {
  tmp = tempDir();
  pb = join(tmp.dir, 'playbook');
  mkdirSync(join(pb, 'templates'), { recursive: true });
  writeFileSync(
    join(pb, 'templates', 'config.yaml.hbs'),
    'region: {{ region }}\nnodes: {{ join nodes "," }}\n{{#if ha}}ha: on\n{{/if}}url: <{{ url }}>\n',
  );
});
afterEach(() => tmp.cleanup());

const vars = { region: 'hangzhou', nodes: ['a', 'b'], ha: true, url: 'http://x/?a=1&b=<2>' };

describe('template', () => {
  it("renders with the host's variables (no HTML escaping) and writes the file", async () => {
    const dest = join(tmp.dir, 'config.yaml');
    const r = await template.run({ src: 'config.yaml.hbs', dest, mode: '0600' }, makeContext({ vars, playbookDir: pb }));
    expect(r).toMatchObject({ changed: true, dest });
    expect(readFileSync(dest, 'utf8')).toBe('region: hangzhou\nnodes: a,b\nha: on\nurl: <http://x/?a=1&b=<2>>\n');
    expect((statSync(dest).mode & 0o777).toString(8)).toBe('600');
  });

  it('is not changed when the rendering is the same, changed when a variable changes', async () => {
    const dest = join(tmp.dir, 'config.yaml');
    await template.run({ src: 'config.yaml.hbs', dest }, makeContext({ vars, playbookDir: pb }));
    expect((await template.run({ src: 'config.yaml.hbs', dest }, makeContext({ vars, playbookDir: pb }))).changed).toBe(false);
    const r = await template.run({ src: 'config.yaml.hbs', dest }, makeContext({ vars: { ...vars, region: 'shanghai' }, playbookDir: pb, diff: true }));
    expect(r.changed).toBe(true);
    expect(r.diff?.before).toContain('region: hangzhou');
    expect(r.diff?.after).toContain('region: shanghai');
  });

  it('puts the file into a directory under the template name without .hbs', async () => {
    const r = await template.run({ src: 'config.yaml.hbs', dest: tmp.dir }, makeContext({ vars, playbookDir: pb }));
    expect(r.dest).toBe(join(tmp.dir, 'config.yaml'));
  });

  it('fails naming the template and the undefined variable, writing nothing', async () => {
    const dest = join(tmp.dir, 'config.yaml');
    const r = await template.run({ src: 'config.yaml.hbs', dest }, makeContext({ vars: { region: 'hz' }, playbookDir: pb }));
    expect(r.failed).toBe(true);
    expect(r.msg).toMatch(/^undefined variable "nodes" in task "template config\.yaml\.hbs"/);
    expect(() => statSync(dest)).toThrow();
  });

  it('check mode: reports would-create and writes nothing', async () => {
    const dest = join(tmp.dir, 'config.yaml');
    const r = await template.run({ src: 'config.yaml.hbs', dest }, makeContext({ vars, playbookDir: pb, check: true }));
    expect(r).toMatchObject({ changed: true });
    expect(r.msg).toMatch(/would create/);
    expect(() => statSync(dest)).toThrow();
  });
});
