/**
 * The shipped upgrade and rollback playbooks, end to end, on the lab's simulated OMS site
 * (3 hosts in 2 regions running 3.3.1): real sshd, dockerd, MariaDB and mysqldump.
 */
import { createHash } from 'node:crypto';
import { appendFile, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { writeSiteInventory } from '../../lab/oms/inventory.js';
import { rootConnection } from '../../lab/oms/seed.js';
import { checksumTables, dockerInitRuns, haConfig, health, inspectContainer, resetSite, schemaVersion } from '../../lab/oms/site.js';
import type { Site } from '../../lab/oms/types.js';
import type { Lab } from '../../lab/lab.js';
import { type CliResult, omsplay } from '../../support/omsplay.js';

const { lab, site } = getSite();
const state = join(lab.dir, 'omsplay-home-upgrade');
const env = { OMSPLAY_HOME: state };

async function inventory(s: Site = site, extra: Record<string, unknown> = {}): Promise<string> {
  return writeSiteInventory(lab, s, { file: join(lab.dir, `upgrade-test-${s.hosts.length}.yml`), vars: { oms_health_timeout: 60, ...extra } });
}

function upgrade(inv: string, ...args: string[]): Promise<CliResult> {
  return omsplay(['run', 'upgrade.yml', '-i', inv, '--json', ...args], { env });
}

function rollback(inv: string, ...args: string[]): Promise<CliResult> {
  return omsplay(['run', 'rollback.yml', '-i', inv, '--from-run', 'last', '--yes', '--json', ...args], { env });
}

function explain(r: CliResult): string {
  const failed = r.events.filter((e) => e.type === 'task_result' && (e.status === 'failed' || e.status === 'unreachable'));
  return `exit ${r.code}\n${r.stderr}\n${failed.map((e) => `${e.host} ${e.task}: ${JSON.stringify(e.result).slice(0, 600)}`).join('\n')}`;
}

/** Records of a run's journal: name -> value (last host wins) and per host. */
async function records(r: CliResult): Promise<{ vars: Record<string, any>; hosts: Record<string, Record<string, any>> }> {
  const end = r.events.find((e) => e.type === 'run_end')!;
  const lines = (await readFile(end.journal, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  const out = { vars: {} as Record<string, any>, hosts: {} as Record<string, Record<string, any>> };
  for (const e of lines.filter((l) => l.type === 'record')) {
    out.vars[e.name] = e.value;
    out.hosts[e.host] ??= {};
    out.hosts[e.host]![e.name] = e.value;
  }
  return out;
}

/** Every database and table of the MetaDB server (a --check run must create none). */
async function schemas(): Promise<string[]> {
  const db = await rootConnection(site);
  try {
    const [rows] = await db.query("SELECT CONCAT(s.schema_name, '.', COALESCE(t.table_name, '')) AS n FROM information_schema.schemata s LEFT JOIN information_schema.tables t ON t.table_schema = s.schema_name ORDER BY 1");
    return (rows as Array<{ n: string }>).map((r) => r.n);
  } finally {
    await db.end();
  }
}

/** The heartbeat tables the running containers keep writing. */
const written = (table: string) => table.endsWith('.heatbeat_sequence') || table.endsWith('.host_heartbeat');

/** Table checksums without the heartbeat tables, nor ha.config's table (checked on its own). */
async function metadbState(s: Site = site): Promise<Record<string, number | null>> {
  const all = await checksumTables(s);
  return Object.fromEntries(Object.entries(all).filter(([t]) => !written(t) && !t.endsWith('.oms_normal_config')));
}

async function onOldVersion(l: Lab, s: Site, haBefore: Record<string, unknown>, before: Record<string, number | null>): Promise<void> {
  for (const h of s.hosts) {
    const old = await inspectContainer(l, h.name, s.containers.old);
    expect(old?.State.Running, `${s.containers.old} runs on ${h.name}`).toBe(true);
    expect(old?.HostConfig.RestartPolicy.Name).toBe(s.restartPolicy);
    const fresh = await inspectContainer(l, h.name, s.containers.new);
    expect(fresh?.State?.Running ?? false, `${s.containers.new} does not run on ${h.name}`).toBe(false);
  }
  const version = await schemaVersion(s);
  expect(version.rm).toBe(s.oldVersion);
  expect(version.cm).toBe(s.oldVersion);
  for (const v of Object.values(version.heartbeat)) expect(v).toBe(s.oldVersion);
  expect(await metadbState(s)).toEqual(before);
  const ha = await haConfig(s);
  for (const [k, v] of Object.entries(haBefore)) if (k !== 'refetchStoreIntervalMin') expect(ha[k], `ha.config ${k}`).toEqual(v);
}

describe('upgrade.yml and rollback.yml on 3 hosts in 2 regions', () => {
  beforeEach(async () => {
    await resetSite(lab, site);
  });

  it('upgrades 3.3.1 to 4.0.0 as the procedure says, then rolls back to the MetaDB of backup time', async () => {
    const inv = await inventory();
    const haBefore = await haConfig(site);
    const before = await metadbState();
    const oldBinds: Record<string, string[]> = {};
    const oldPids: Record<string, unknown> = {};
    for (const h of site.hosts) {
      const old = await inspectContainer(lab, h.name, site.containers.old);
      oldBinds[h.name] = old.HostConfig.Binds;
      oldPids[h.name] = old.HostConfig.PidsLimit;
    }

    const up = await upgrade(inv);
    expect(up.code, explain(up)).toBe(0);
    // The image was loaded before T1 (stage); procedure step 3, inside the outage, found it present on every host.
    const order = up.events.filter((e) => e.type === 'task_start').map((e) => String(e.task));
    expect(order.indexOf('Stage: docker load the new image while the old OMS runs')).toBeLessThan(order.indexOf('Stop old containers: record T1'));
    // Step 2.2's delete of useless heartbeat rows: most of it before T1 (once per region, OMS still running), the
    // rest (the rows written since) after the stop, as the guide orders it.
    const deleted = (task: string) => up.events.filter((e) => e.type === 'task_result' && e.task === task).map((e) => Number(e.result.affected_rows));
    const early = deleted('Heartbeat before T1: delete the rows below it');
    const inOutage = deleted('Clean heartbeat: delete rows below it');
    expect(early).toHaveLength(site.regions.length);
    expect(inOutage).toHaveLength(site.regions.length);
    expect(order.indexOf('Heartbeat before T1: delete the rows below it')).toBeLessThan(order.indexOf('Stop old containers: record T1'));
    for (const [i, n] of early.entries()) expect(n, `region ${i}: rows deleted before T1 (${n}) against after (${inOutage[i]})`).toBeGreaterThan(inOutage[i]!);
    const step3 = up.events.filter((e) => e.type === 'task_result' && e.task === 'Load image: docker load -i');
    expect(step3.map((e) => [e.status, e.result.present_before])).toEqual(site.hosts.map(() => ['ok', true]));

    // New containers: same mounts, IS_UPGRADE=true, per-host OMS_HOST_IP; old ones stopped with restart policy no.
    for (const h of site.hosts) {
      const fresh = await inspectContainer(lab, h.name, site.containers.new);
      expect(fresh.State.Running).toBe(true);
      expect([...fresh.HostConfig.Binds].sort()).toEqual([...oldBinds[h.name]!].sort());
      expect(fresh.Config.Env).toEqual(expect.arrayContaining(['IS_UPGRADE=true', `OMS_HOST_IP=${h.address}`]));
      expect(fresh.HostConfig.Privileged).toBe(true);
      // --pids-limit -1 (unlimited) reads back as docker normalises it, the same as the old container's.
      expect(fresh.HostConfig.PidsLimit ?? null).toEqual(oldPids[h.name] ?? null);
      expect(fresh.HostConfig.Ulimits).toEqual([{ Name: 'nproc', Soft: 65535, Hard: 65535 }]);
      expect(fresh.Config.Image).toBe(site.newImage);
      const old = await inspectContainer(lab, h.name, site.containers.old);
      expect(old.State.Running).toBe(false);
      expect(old.HostConfig.RestartPolicy.Name).toBe('no');
    }
    // docker_init.sh once per region (h1 and h2 share one config.yaml), and the schema change is there.
    for (const r of site.regions) expect(await dockerInitRuns(site, r.name), `docker_init.sh runs in ${r.name}`).toHaveLength(1);
    const version = await schemaVersion(site);
    expect(version.rm).toBe(site.newVersion);
    expect(Object.values(version.heartbeat)).toEqual(site.regions.map(() => site.newVersion));

    // HA: enabled again, refetchStoreIntervalMin = ceil(T2 - T1) + 30, every other field as it was.
    const rec = await records(up);
    const t1 = Date.parse(rec.vars.t1);
    const t2 = Date.parse(rec.vars.t2);
    expect(t2).toBeGreaterThanOrEqual(t1);
    const ha = await haConfig(site);
    expect(ha.enable).toBe(true);
    expect(ha.refetchStoreIntervalMin).toBe(Math.ceil((t2 - t1) / 60_000) + 30);
    for (const [k, v] of Object.entries(haBefore)) if (!['enable', 'refetchStoreIntervalMin'].includes(k)) expect(ha[k], `ha.config ${k}`).toEqual(v);

    // The journal holds verified dumps of rm, cm and both cm_hb, whose files match their checksums.
    const dumps = rec.vars.dumps.results as Array<{ path: string; sha256: string; size: number; completed: boolean; databases: string[] }>;
    expect(dumps.map((d) => d.databases[0]).sort()).toEqual([...site.databases.all].sort());
    for (const d of dumps) {
      expect(d.completed).toBe(true);
      expect(d.size).toBeGreaterThan(0);
      expect(createHash('sha256').update(await readFile(d.path)).digest('hex')).toBe(d.sha256);
    }

    const back = await rollback(inv);
    expect(back.code, explain(back)).toBe(0);
    // Each dump was loaded into its staging database before T3 (the new OMS still running), then swapped in after
    // the stop by one RENAME TABLE: no load inside the outage, and no staging or retired database left behind.
    const backOrder = back.events.filter((e) => e.type === 'task_start').map((e) => String(e.task));
    expect(backOrder.indexOf('Rollback: load each dump into a staging database while OMS still runs')).toBeLessThan(backOrder.indexOf('Rollback: record T3'));
    const swapped = back.events.filter((e) => e.type === 'item_result' && e.task === 'Rollback: restore each database');
    expect(swapped.map((e) => [e.result.database, e.result.swapped]).sort()).toEqual([...site.databases.all].sort().map((d) => [d, true]));
    expect((await schemas()).filter((n) => n.includes('_omsplay_'))).toEqual([]);
    await onOldVersion(lab, site, haBefore, before);
    const haAfter = await haConfig(site);
    expect(haAfter.enable).toBe(haBefore.enable);
  });

  it('stage loads the new image before T1: the old container keeps running and healthy, nothing else changes', async () => {
    const inv = await inventory();
    const started: Record<string, unknown> = {};
    for (const h of site.hosts) started[h.name] = (await inspectContainer(lab, h.name, site.containers.old)).State.StartedAt;
    const r = await upgrade(inv, '--tags', 'stage');
    expect(r.code, explain(r)).toBe(0);
    const loads = r.events.filter((e) => e.type === 'task_result' && e.task === 'Stage: docker load the new image while the old OMS runs');
    expect(loads.map((e) => [e.status, e.result.present_before])).toEqual(site.hosts.map(() => ['changed', false]));
    for (const h of site.hosts) {
      expect((await lab.docker(h.name, ['image', 'inspect', site.newImage])).code, `${site.newImage} on ${h.name}`).toBe(0);
      const old = await inspectContainer(lab, h.name, site.containers.old);
      expect(old.State.Running).toBe(true);
      expect(old.State.StartedAt, `${site.containers.old} on ${h.name} was not restarted`).toBe(started[h.name]);
      const hl = await health(lab, site, h.name);
      expect(hl?.data.healthy, `${site.containers.old} on ${h.name} healthy`).toBe(true);
      expect(hl?.data.version).toBe(site.oldVersion);
    }
    expect(r.events.some((e) => e.type === 'task_start' && /^(Disable HA|Stop old)/.test(String(e.task)))).toBe(false);
  });

  it('--check prints the whole plan and changes nothing', async () => {
    const inv = await inventory();
    const before = await checksumTables(site);
    const schemasBefore = await schemas();
    const haBefore = await haConfig(site);
    const r = await upgrade(inv, '--check');
    expect(r.code, explain(r)).toBe(0);
    const { old: oldC, new: newC } = site.containers;
    const all = site.hosts.map((h) => h.name);
    // Each step that would change something says so, per host, with what it would do.
    const plan = (task: string) => Object.fromEntries(r.events.filter((e) => e.type === 'task_result' && e.task === task).map((e) => [e.host, [e.status, e.result.msg]]));
    const each = (status: string, msg: string, hosts = all) => Object.fromEntries(hosts.map((h) => [h, [status, msg]]));
    expect(plan('Disable HA: set ha.config enable=false')).toEqual(each('changed', 'would change ha.config: enable', ['h1']));
    expect(plan('Stop old containers: docker stop, restart policy no')).toEqual(each('changed', `would update_restart_policy, stop ${oldC}`));
    for (const h of all) expect(plan('Start new containers: docker run')[h]).toEqual(['changed', expect.stringMatching(new RegExp(`^would create ${newC} from `))]);
    expect(plan('docker_init.sh: once per region (shared config.yaml)')).toEqual(each('skipped', 'check mode: would run docker.exec', ['h1', 'h3']));
    expect(plan('Enable HA: enable with refetchStoreIntervalMin = ceil(T2 - T1) + margin')).toEqual(each('changed', 'would change ha.config: refetchStoreIntervalMin', ['h1']));
    const runId = r.events.find((e) => e.type === 'run_start')!.run_id;
    const dumps = r.events.filter((e) => e.type === 'item_result' && e.task === 'Back up: mysqldump --triggers=false each database');
    // One dump per database, on the control node (delegate_to: localhost), each planned and none taken.
    expect(dumps.map((e) => e.label).sort()).toEqual([...site.databases.all].sort());
    for (const e of dumps) expect([e.host, e.delegated_to, e.status]).toEqual(['h1', 'localhost', 'changed']);
    for (const e of dumps) expect(e.result.msg).toMatch(new RegExp(`^would dump ${e.label} from .* to .*/${runId}/${e.label}\\.sql$`));
    // The same plan, printed for a person (plain output).
    const printed = await omsplay(['run', 'upgrade.yml', '-i', inv, '--plain', '--check'], { env });
    expect(printed.code, printed.stderr).toBe(0);
    for (const h of all) expect(printed.stdout).toMatch(new RegExp(`^changed: \\[${h}\\] \\d+ ms => would update_restart_policy, stop ${oldC}$`, 'm'));
    expect(printed.stdout).toMatch(/^changed: \[h1 -> localhost\] \(item=oms_rm\) => would dump oms_rm from /m);
    expect(printed.stdout).toMatch(/^changed: \[h1\] \d+ ms => would change ha\.config: enable$/m);
    expect(printed.stdout).toMatch(/^TASK \[Start new containers: docker run\]\n(changed: \[h\d\] \d+ ms => would create .*\n){3}/m);
    expect(printed.stdout).toMatch(/^h1\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/m);
    // Nothing changed: no table's content, no new database or table, HA, containers, backups.
    const after = await checksumTables(site);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    expect(await schemas()).toEqual(schemasBefore);
    for (const [t, sum] of Object.entries(before)) if (!written(t)) expect(after[t], t).toBe(sum);
    expect(await haConfig(site)).toEqual(haBefore);
    for (const h of site.hosts) {
      expect((await inspectContainer(lab, h.name, site.containers.old)).State.Running).toBe(true);
      expect(await inspectContainer(lab, h.name, site.containers.new)).toBeUndefined();
    }
    const backups = await readdir(join(lab.dir, 'oms-backups')).catch(() => [] as string[]);
    expect(backups).not.toContain(runId);
  });

  it('the MetaDB unreachable in preflight: stops before changing anything', async () => {
    const inv = await inventory();
    const before = await metadbState();
    const haBefore = await haConfig(site);
    const pid = (await readFile(lab.mariadb!.pidFile, 'utf8')).trim();
    process.kill(Number(pid), 'SIGSTOP');
    let r: CliResult;
    try {
      r = await upgrade(inv, '-e', 'oms_metadb_connect_timeout=3');
    } finally {
      process.kill(Number(pid), 'SIGCONT');
    }
    expect(r.code).toBe(2);
    const failed = r.events.find((e) => e.type === 'task_result' && e.status === 'failed')!;
    expect(failed.task).toBe('Preflight: the MetaDB is reachable and holds every database');
    expect(JSON.stringify(failed.result)).toMatch(/cannot connect to the MetaDB/);
    await onOldVersion(lab, site, haBefore, before);
  });

  it('a corrupt image tar: the rescue starts the old containers again and puts HA back', async () => {
    const inv = await inventory();
    const before = await metadbState();
    const haBefore = await haConfig(site);
    await lab.exec('h2', ['truncate', '-s', '100000', site.paths.newImageTar], { check: true });
    const r = await upgrade(inv);
    expect(r.code).toBe(2);
    const failed = r.events.find((e) => e.type === 'task_result' && e.status === 'failed')!;
    expect(failed.task).toBe('Load image: docker load -i');
    expect(failed.host).toBe('h2');
    expect(r.events.some((e) => e.type === 'on_failure')).toBe(true);
    await onOldVersion(lab, site, haBefore, before);
  });

  it('--tags: a step run alone that fails is still put back by the (untagged) rescue', async () => {
    const inv = await inventory();
    const before = await metadbState();
    const haBefore = await haConfig(site);
    await lab.exec('h2', ['truncate', '-s', '100000', site.paths.newImageTar], { check: true });
    const r = await upgrade(inv, '--tags', 'preflight,stage,stop,load_image');
    expect(r.code, explain(r)).toBe(2);
    const failed = r.events.find((e) => e.type === 'task_result' && e.status === 'failed')!;
    expect([failed.task, failed.host]).toEqual(['Load image: docker load -i', 'h2']);
    // The old containers were stopped by the selected step; the rescue, whose tasks carry no tags, runs anyway.
    expect(r.events.some((e) => e.type === 'on_failure')).toBe(true);
    const rescued = r.events.filter((e) => e.type === 'task_result' && e.play !== 'Upgrade OMS');
    expect(rescued.length).toBeGreaterThan(0);
    expect(rescued.filter((e) => e.status === 'failed')).toEqual([]);
    await onOldVersion(lab, site, haBefore, before);
  });

  it('docker_init.sh failing in one region: the full rollback restores the MetaDB from the dumps', async () => {
    const inv = await inventory();
    const before = await metadbState();
    const haBefore = await haConfig(site);
    await lab.exec('h3', ['sh', '-c', `echo cm_hb > ${site.paths.failDockerInitMarker}`], { check: true });
    const r = await upgrade(inv);
    expect(r.code).toBe(2);
    const failed = r.events.find((e) => e.type === 'task_result' && e.status === 'failed')!;
    expect(failed.task).toBe('docker_init.sh: once per region (shared config.yaml)');
    expect(failed.host).toBe('h3');
    // hz had already been initialised: only the restore from the dumps can bring 3.3.1 back.
    const restored = r.events.filter((e) => e.type === 'task_result' && e.task === 'Rollback: restore each database');
    expect(restored.map((e) => e.status)).toEqual(['changed']);
    // The rescue staged the dumps too (verified first) and swapped them in.
    expect(restored[0]!.result.results.map((x: { swapped: boolean }) => x.swapped)).toEqual(site.databases.all.map(() => true));
    await onOldVersion(lab, site, haBefore, before);
  });

  it('the rollback verifies every dump before its parallel restores: one altered dump and nothing is dropped', async () => {
    const inv = await inventory();
    await lab.exec('h3', ['sh', '-c', `echo cm_hb > ${site.paths.failDockerInitMarker}`], { check: true });
    const r = await upgrade(inv, '--no-on-failure');
    expect(r.code).toBe(2);
    await lab.exec('h3', ['rm', '-f', site.paths.failDockerInitMarker], { check: true });
    const dumps = (await records(r)).vars.dumps.results as Array<{ path: string; databases: string[] }>;
    const cmHb = dumps.find((d) => d.databases[0] === Object.values(site.databases.heartbeat)[0])!;
    await appendFile(cmHb.path, '-- changed after the backup\n');
    const upgraded = await metadbState();
    const back = await rollback(inv);
    expect(back.code).toBe(2);
    const failed = back.events.find((e) => e.type === 'task_result' && e.status === 'failed')!;
    expect(failed.task, explain(back)).toBe('Rollback: verify every dump before anything is dropped');
    expect(JSON.stringify(failed.result)).toContain(`checksum mismatch: ${cmHb.path}`);
    expect(back.events.some((e) => e.type === 'task_start' && e.task === 'Rollback: restore each database')).toBe(false);
    // Nothing dropped or restored: the MetaDB is as the failed upgrade left it.
    expect((await schemaVersion(site)).rm).toBe(site.newVersion);
    expect(await metadbState()).toEqual(upgraded);
  });

  it('--no-on-failure stops half-way and prints the rollback command; rollback.yml --from-run last restores the site, twice', async () => {
    const inv = await inventory();
    const before = await metadbState();
    const haBefore = await haConfig(site);
    await lab.exec('h3', ['sh', '-c', `echo cm_hb > ${site.paths.failDockerInitMarker}`], { check: true });
    const r = await upgrade(inv, '--no-on-failure');
    expect(r.code).toBe(2);
    const runId = r.events.find((e) => e.type === 'run_start')!.run_id;
    const warning = r.events.find((e) => e.type === 'warning')!;
    expect(warning.message).toContain(`omsplay run rollback.yml -i ${inv} --from-run ${runId}`);
    expect(r.events.some((e) => e.type === 'task_start' && String(e.task).startsWith('Rescue'))).toBe(false);
    // Left as it failed: hz already initialised, the old containers stopped.
    expect((await schemaVersion(site)).rm).toBe(site.newVersion);
    expect((await inspectContainer(lab, 'h1', site.containers.old)).State.Running).toBe(false);
    await lab.exec('h3', ['rm', '-f', site.paths.failDockerInitMarker], { check: true });

    // A view made in cm since the upgrade: swapping cm's tables would keep it where the guide's restore drops it, so cm
    // is loaded from its dump (the reason said); the other databases are swapped in.
    const db = await rootConnection(site);
    try {
      await db.query(`CREATE VIEW ${db.escapeId(site.databases.cm)}.omsplay_test_view AS SELECT 1 AS one`);
    } finally {
      await db.end();
    }
    const first = await rollback(inv);
    expect(first.code, explain(first)).toBe(0);
    const how = Object.fromEntries(
      first.events.filter((e) => e.type === 'item_result' && e.task === 'Rollback: restore each database').map((e) => [e.result.database, [e.result.swapped, e.result.swap_skipped]]),
    );
    expect(how[site.databases.cm]).toEqual([false, `${site.databases.cm} has the view omsplay_test_view, which a swap of tables would not give as a load does`]);
    expect(how[site.databases.rm]).toEqual([true, undefined]);
    expect((await schemas()).filter((n) => n.includes('omsplay_'))).toEqual([]);
    await onOldVersion(lab, site, haBefore, before);
    // A second attempt still finds the upgrade run (the rollback run recorded none of its values) and changes nothing that matters.
    // The second one without staging: each database dropped, recreated and loaded inside the outage, as the guide does.
    const second = await rollback(inv, '-e', 'oms_rollback_staged=false');
    expect(second.code, explain(second)).toBe(0);
    const loaded = second.events.filter((e) => e.type === 'item_result' && e.task === 'Rollback: restore each database');
    expect(loaded.map((e) => e.result.swapped ?? 'not staged')).toEqual(site.databases.all.map(() => 'not staged'));
    const staging = second.events.filter((e) => e.type === 'task_result' && e.task === 'Rollback: load each dump into a staging database while OMS still runs');
    expect(staging.map((e) => e.status)).toEqual(['skipped']);
    expect(second.events.find((e) => e.type === 'run_start')!.from_run).toBe(runId);
    await onOldVersion(lab, site, haBefore, before);
  });

  it('preflight refuses a node of config.yaml missing from the inventory, and changes nothing', async () => {
    const inv = await writeSiteInventory(lab, site, { file: join(lab.dir, 'upgrade-test-missing-node.yml'), hosts: ['h1', 'h3'] });
    const before = await checksumTables(site);
    const r = await upgrade(inv);
    expect(r.code).toBe(2);
    const failed = r.events.find((e) => e.type === 'task_result' && e.status === 'failed')!;
    expect(failed.task).toBe('Preflight: inventory and config.yaml agree');
    expect(failed.result.msg).toMatch(/must be in the inventory's oms group/);
    expect(r.events.some((e) => e.type === 'task_start' && e.task === 'Disable HA: set ha.config enable=false')).toBe(false);
    const after = await checksumTables(site);
    for (const [t, sum] of Object.entries(before)) if (!written(t)) expect(after[t], t).toBe(sum);
  });

  it("preflight prints the FAQ's dbType warning for sites with V3.2.2-CE projects and stops unless it was handled", async () => {
    const inv = await inventory(site, { oms_has_322_projects: true });
    const stopped = await upgrade(inv, '--tags', 'preflight');
    expect(stopped.code).toBe(2);
    const warn = stopped.events.find((e) => e.type === 'task_result' && e.status === 'failed')!;
    expect(warn.task).toBe('Preflight: dbType warning for sites with projects from V3.2.2-CE (FAQ)');
    expect(warn.result.msg).toMatch(/dbType \(or db_type\)[\s\S]*--yes/);
    const handled = await upgrade(await inventory(site, { oms_has_322_projects: true, oms_dbtype_handled: true }), '--tags', 'preflight');
    expect(handled.code, explain(handled)).toBe(0);
  });
});
