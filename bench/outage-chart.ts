/**
 * The outage chart: one bar per run (omsplay and the vendor's order by hand, upgrade and rollback), time on the
 * horizontal axis, each step a segment of its bar, the outage drawn as a frame around the steps inside it.
 */
import type { RunFigures } from './outage.js';

export interface ChartRow {
  label: string;
  run: RunFigures;
}

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** SVG text of the chart; colours are given per step name, the same step the same colour in every bar. */
export function outageChart(title: string, rows: ChartRow[]): string {
  const labelW = 250;
  const plotW = 620;
  const rowH = 34;
  const top = 40;
  const maxMs = Math.max(1, ...rows.map((r) => r.run.steps.reduce((a, s) => a + s.ms, 0)));
  const scale = plotW / maxMs;
  const colours = new Map<string, string>();
  // Steps too short to see share one grey: the legend names only what the eye can find in the bars.
  const OTHER = 'other steps (each under 2 % of the longest run)';
  const visible = (ms: number) => ms >= maxMs * 0.02;
  const colour = (step: string, ms: number) => {
    if (!visible(ms)) {
      if (!colours.has(OTHER)) colours.set(OTHER, '#d9d9d9');
      return '#d9d9d9';
    }
    if (!colours.has(step)) colours.set(step, PALETTE[[...colours.keys()].filter((k) => k !== OTHER).length % PALETTE.length]!);
    return colours.get(step)!;
  };
  const out: string[] = [];
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    out.push(`<text x="${labelW - 8}" y="${y + 16}" text-anchor="end">${esc(row.label)}</text>`);
    let x = labelW;
    let outStart: number | undefined;
    let outEnd = labelW;
    for (const s of row.run.steps) {
      const w = s.ms * scale;
      out.push(`<rect x="${x.toFixed(1)}" y="${y + 4}" width="${Math.max(w, 0.5).toFixed(1)}" height="18" fill="${colour(s.step, s.ms)}"><title>${esc(`${s.step}: ${(s.ms / 1000).toFixed(2)} s`)}</title></rect>`);
      if (s.inOutage) {
        outStart ??= x;
        outEnd = x + w;
      }
      x += w;
    }
    if (outStart !== undefined) {
      out.push(`<rect x="${outStart.toFixed(1)}" y="${y + 1}" width="${(outEnd - outStart).toFixed(1)}" height="24" fill="none" stroke="#000" stroke-width="1.5"/>`);
    }
    out.push(`<text x="${(x + 6).toFixed(1)}" y="${y + 16}">${(row.run.wallMs / 1000).toFixed(1)} s, outage ${(row.run.outageMs / 1000).toFixed(1)} s</text>`);
  });
  const axisY = top + rows.length * rowH + 6;
  const ticks: string[] = [];
  const step = niceStep(maxMs / 1000);
  for (let t = 0; t * 1000 <= maxMs; t += step) {
    const x = labelW + t * 1000 * scale;
    ticks.push(`<line x1="${x.toFixed(1)}" y1="${axisY}" x2="${x.toFixed(1)}" y2="${axisY + 4}" stroke="#555"/><text x="${x.toFixed(1)}" y="${axisY + 16}" text-anchor="middle">${t} s</text>`);
  }
  const legendY = axisY + 34;
  const legend = [...colours.entries()].map(([name, c], i) => {
    const x = 10 + (i % 3) * 340;
    const y = legendY + Math.floor(i / 3) * 18;
    const shown = name.length > 50 ? `${name.slice(0, 49)}…` : name;
    return `<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${c}"/><text x="${x + 16}" y="${y}">${esc(shown)}</text>`;
  });
  const height = legendY + Math.ceil(colours.size / 3) * 18 + 24;
  const width = labelW + plotW + 170;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
    ...out,
    `<line x1="${labelW}" y1="${axisY}" x2="${labelW + plotW}" y2="${axisY}" stroke="#555"/>`,
    ...ticks,
    `<text x="${width - 10}" y="${legendY - 14}" text-anchor="end">framed: the outage</text>`,
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}

function niceStep(totalS: number): number {
  for (const s of [1, 2, 5, 10, 20, 30, 60, 120, 300]) if (totalS / s <= 10) return s;
  return 600;
}
