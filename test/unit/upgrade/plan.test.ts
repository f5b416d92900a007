/** The upgrade graph as shipped, and the planner's paths and refusals on it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SHIPPED_PLAYBOOKS } from '../../../lib/cli/find-playbook.js';
import { compareVersions, edgesTable, GraphError, normalizeVersion, parseGraph, versionList } from '../../../lib/upgrade/graph.js';
import { formatPath, planPath } from '../../../lib/upgrade/plan.js';

const GRAPH_FILE = join(SHIPPED_PLAYBOOKS, 'vars', 'upgrade-graph.yml');
const graph = parseGraph(parse(readFileSync(GRAPH_FILE, 'utf8')).oms_upgrade_graph);

function path(from: string, to: string): string {
  const p = planPath(graph, from, to);
  if (!p.ok) throw new Error(`expected a path ${from} → ${to}, got: ${p.reason}`);
  return `${formatPath(p.hops)} [${p.hops.map((h) => h.family).join('')}]`;
}

function refusal(from: string, to: string): string {
  const p = planPath(graph, from, to);
  if (p.ok) throw new Error(`expected a refusal ${from} → ${to}, got ${formatPath(p.hops)}`);
  return p.reason;
}

describe('the shipped upgrade graph', () => {
  it('has the families of the reference notes: B to 4.0.0–4.2.2, C to 4.2.9, D to 4.2.12 and 4.2.13', () => {
    const families = Object.fromEntries(Object.entries(graph.targets).map(([v, t]) => [v, t.family]));
    expect(families).toEqual({ '4.0.0': 'B', '4.1.0': 'B', '4.2.0': 'B', '4.2.1': 'B', '4.2.2': 'B', '4.2.9': 'C', '4.2.12': 'D', '4.2.13': 'D' });
  });

  it('offers no version whose guide we lack as a target, but lets them be sources', () => {
    for (const v of ['4.1.1', '4.2.3', '4.2.4', '4.2.5', '4.2.6', '4.2.7', '4.2.8', '4.2.10', '4.2.11']) {
      expect(graph.targets[v], v).toBeUndefined();
      expect(graph.versions[v], v).toBeTruthy();
    }
    expect(graph.targets['4.2.9']?.from).toContain('4.2.8');
    expect(graph.targets['4.2.12']?.from).toContain('4.2.11');
  });
});

describe('planPath', () => {
  it.each([
    ['3.3.1', '4.0.0', '3.3.1 → 4.0.0 [B]'],
    ['3.2.2', '4.1.0', '3.2.2 → 4.1.0 [B]'],
    ['4.0.0', '4.1.0', '4.0.0 → 4.1.0 [B]'],
    ['4.1.1', '4.2.0', '4.1.1 → 4.2.0 [B]'],
    ['4.2.0', '4.2.1', '4.2.0 → 4.2.1 [B]'],
    ['4.2.0', '4.2.2', '4.2.0 → 4.2.1 → 4.2.2 [BB]'],
    ['4.1.1', '4.2.2', '4.1.1 → 4.2.0 → 4.2.1 → 4.2.2 [BBB]'],
    ['4.2.8', '4.2.9', '4.2.8 → 4.2.9 [C]'],
    ['4.2.0', '4.2.12', '4.2.0 → 4.2.12 [D]'],
    ['4.2.11', '4.2.12', '4.2.11 → 4.2.12 [D]'],
    ['4.2.9', '4.2.13', '4.2.9 → 4.2.13 [D]'],
    ['4.1.1', '4.2.9', '4.1.1 → 4.2.0 → 4.2.9 [BC]'],
    ['V4.2.0-CE', '4.2.2', '4.2.0 → 4.2.1 → 4.2.2 [BB]'],
  ])('%s → %s is %s', (from, to, want) => {
    expect(path(from, to)).toBe(want);
  });

  it('says why a multi-hop path was needed', () => {
    const p = planPath(graph, '4.2.0', '4.2.2');
    expect(p.ok && p.note).toBe('4.2.0 → 4.2.2 is not a documented direct upgrade (the 4.2.2 guide: only from 4.2.1); the shortest documented path is 4.2.0 → 4.2.1 → 4.2.2');
    const direct = planPath(graph, '4.2.0', '4.2.12');
    expect(direct.ok && direct.note).toBeUndefined();
  });

  it('refuses 4.0.0 and 4.1.0 into 4.2.x: 4.2.0 needs 4.1.1, which is install-only', () => {
    expect(refusal('4.1.0', '4.2.0')).toBe(
      'no documented upgrade path from 4.1.0 to 4.2.0: the 4.2.0 guide upgrades only from 4.1.1; the oldest version with a documented path to 4.2.0 is 4.1.1, and 4.1.1 is install-only: its upgrade notice says it only supports direct deployment, nothing upgrades to it; no documented upgrade starts from 4.1.0',
    );
    expect(refusal('4.0.0', '4.2.12')).toMatch(/^no documented upgrade path from 4\.0\.0 to 4\.2\.12: the 4\.2\.12 guide upgrades only from 4\.2\.0–4\.2\.11; the oldest version with a documented path to 4\.2\.12 is 4\.1\.1, and 4\.1\.1 is install-only.*; from 4\.0\.0 the documented upgrades reach 4\.1\.0$/);
    expect(refusal('3.3.1', '4.2.9')).toMatch(/the 4\.2\.9 guide upgrades only from 4\.2\.0–4\.2\.8; .*4\.1\.1 is install-only.*; from 3\.3\.1 the documented upgrades reach 4\.0\.0, 4\.1\.0$/);
  });

  it('refuses 4.1.1 as a target (install-only) and targets whose guide we lack', () => {
    expect(refusal('4.1.0', '4.1.1')).toMatch(/^4\.1\.1 is not offered as a target: 4\.1\.1 is install-only/);
    expect(refusal('4.2.9', '4.2.10')).toBe('4.2.10 is not offered as a target: we do not have the upgrade guide of 4.2.10');
  });

  it('refuses an unknown target, a target that is not a version, and an unreadable site version', () => {
    const unknown = planPath(graph, '3.3.1', '4.5.0');
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.reason).toBe('unknown target version 4.5.0: the upgrade graph has no guide for it');
    expect(!unknown.ok && unknown.hint).toMatch(/^documented targets: 4\.0\.0, 4\.1\.0, 4\.2\.0–4\.2\.2, 4\.2\.9, 4\.2\.12, 4\.2\.13;/);
    expect(refusal('3.3.1', 'latest')).toBe('the target version "latest" is not a version (expected x.y.z, e.g. 4.2.1)');
    expect(refusal('', '4.0.0')).toBe('the site\'s version could not be read (got "")');
  });

  it('refuses the same version, a downgrade, and a source outside the graph', () => {
    expect(refusal('4.0.0', '4.0.0')).toBe('the site already runs 4.0.0: nothing to upgrade');
    expect(refusal('4.2.1', '4.2.0')).toMatch(/newer than the target 4\.2\.0/);
    expect(refusal('3.1.0', '4.0.0')).toBe('no documented upgrade path from 3.1.0 to 4.0.0: the 4.0.0 guide upgrades only from 3.2.2–3.3.1; 3.1.0 is not in the upgrade graph: no documented upgrade starts from it');
  });
});

describe('the graph data', () => {
  it('normalises and compares versions', () => {
    expect(normalizeVersion('V4.2.1-CE')).toBe('4.2.1');
    expect(normalizeVersion('4.2')).toBeUndefined();
    expect(compareVersions('4.2.10', '4.2.9')).toBeGreaterThan(0);
    expect(versionList(graph, ['4.2.1', '4.2.0', '4.2.2', '4.2.9'])).toBe('4.2.0–4.2.2, 4.2.9');
  });

  it.each([
    [{ targets: {} }, /needs `targets`/],
    [{ targets: { '4.2': { family: 'B', from: ['4.1.1'] } } }, /targets\."4\.2": "4\.2" is not a version/],
    [{ targets: { '4.2.0': { family: 'B', from: ['4.3.0'] } } }, /targets\."4\.2\.0"\.from\[0\]: 4\.3\.0 is not older than 4\.2\.0/],
    [{ targets: { '4.2.0': { family: 'B', from: ['4.1.1'], image: 'x' } } }, /unknown key image/],
    [{ targets: { '4.2.0': { family: 'b', from: ['4.1.1'] } } }, /family: expected a family letter/],
    [{ targets: { '4.2.0': { family: 'B', from: ['4.1.1'] } }, versions: { '4.2.0': 'x' } }, /also a target/],
    [{ targets: { '4.2.0': { family: 'B', from: ['4.1.1'] } }, extra: 1 }, /unknown key extra/],
  ])('rejects bad data %#', (data, message) => {
    expect(() => parseGraph(data)).toThrow(GraphError);
    expect(() => parseGraph(data)).toThrow(message);
  });

  it('renders the README table', () => {
    const table = edgesTable(graph);
    expect(table).toContain('| 4.2.9 | 4.2.0–4.2.8 | C | V4.2.9 upgrade guide |');
    expect(table).toContain('| 4.2.2 | 4.2.1 | B | V4.2.2 upgrade guide |');
    expect(table).toMatch(/\| 4\.1\.1 \| 4\.1\.1 is install-only/);
  });
});
