/**
 * The timeline as plain SVG: one lane per host (grouped by region), a bar per task result coloured by
 * status, plays and phases as bands, the OMS downtime windows (one per hop), the failure point and the rescue.
 * Lanes get thinner as hosts grow (1 to 200 hosts stay readable); time is scaled to the run's length.
 */
import type { DowntimeWindow, Timeline } from './model.js';
import { formatDuration } from './oms.js';
import { esc } from './escape.js';

const WIDTH = 1240;
const LABEL_W = 150;
const PLOT_W = WIDTH - LABEL_W - 16;
const ROW = 18;

function laneHeight(hosts: number): number {
  if (hosts <= 12) return 22;
  if (hosts <= 40) return 16;
  if (hosts <= 100) return 12;
  return 9;
}

/** A tick step giving at most ~10 ticks. */
function tickStep(spanMs: number): number {
  const steps = [50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 144e5];
  return steps.find((s) => spanMs / s <= 10) ?? 288e5;
}

function tickLabel(ms: number, step: number): string {
  if (step < 1000) return `${(ms / 1000).toFixed(1)}s`;
  if (step < 60_000) return `${Math.round(ms / 1000)}s`;
  const m = Math.round(ms / 60_000);
  return m < 60 ? `${m}m` : `${Math.floor(m / 60)}h${m % 60 ? `${m % 60}m` : ''}`;
}

export function timelineSvg(t: Timeline): { head: string; lanes: string } {
  const hostCount = t.groups.reduce((n, g) => n + g.hosts.length, 0);
  const laneH = laneHeight(hostCount);
  const font = laneH >= 16 ? 12 : laneH >= 12 ? 10 : 8;
  const x = (ms: number) => LABEL_W + (Math.max(0, Math.min(ms, t.span_ms)) / t.span_ms) * PLOT_W;
  const w = (a: number, b: number) => Math.max(1.5, x(b) - x(a));
  const axisY = 14;
  const playsY = axisY + 8;
  const phasesY = playsY + ROW + 2;
  const marksY = phasesY + ROW + 2;
  // The failure's label gets a row of its own under the downtime's, so the two never overlap.
  const failY = t.failure ? marksY + ROW : marksY;
  const lanesY = failY + ROW + 4;

  // Lane positions: a header row per region, then its hosts.
  const laneY = new Map<string, number>();
  let y = lanesY;
  const lanes: string[] = [];
  for (const g of t.groups) {
    lanes.push(`<g class="region"><text x="4" y="${y + 12}" class="rg">${esc(g.name)} (${g.hosts.length})</text><line x1="0" x2="${WIDTH}" y1="${y + 0.5}" y2="${y + 0.5}" class="rl"/></g>`);
    y += 16;
    for (const [i, h] of g.hosts.entries()) {
      laneY.set(h, y);
      lanes.push(
        `<g class="lane" data-host="${esc(h)}"><rect x="${LABEL_W}" y="${y}" width="${PLOT_W}" height="${laneH}" class="${i % 2 ? 'l1' : 'l0'}"/><text x="${LABEL_W - 6}" y="${y + laneH / 2 + font / 2 - 1}" class="hl" font-size="${font}">${esc(h)}</text></g>`,
      );
      y += laneH;
    }
  }
  const bottom = y;
  const height = bottom + 8;

  // Axis ticks and grid (the grid lines go in both pictures: each shows its part).
  const step = tickStep(t.span_ms);
  const head: string[] = [];
  const body: string[] = [];
  for (let ms = 0; ms <= t.span_ms; ms += step) {
    const px = x(ms).toFixed(1);
    const grid = `<line x1="${px}" x2="${px}" y1="${axisY + 2}" y2="${bottom}" class="grid"/>`;
    head.push(`${grid}<text x="${px}" y="${axisY}" class="tick">${tickLabel(ms, step)}</text>`);
    body.push(grid);
  }
  // Plays, the rescue, phases: bands in the head, a faint background across the lanes.
  head.push(`<text x="${LABEL_W - 6}" y="${playsY + 13}" class="rowname">plays</text><text x="${LABEL_W - 6}" y="${phasesY + 13}" class="rowname">phases</text>`);
  for (const [i, p] of t.plays.entries()) {
    const rescue = t.rescue && p.start_ms >= t.rescue.start_ms;
    head.push(band(p.name, x(p.start_ms), playsY, w(p.start_ms, p.end_ms), rescue ? 'play rescue' : `play p${i % 2}`, `play: ${p.name} (${formatDuration(p.end_ms - p.start_ms)})`));
    body.push(`<rect x="${x(p.start_ms).toFixed(1)}" y="${lanesY}" width="${w(p.start_ms, p.end_ms).toFixed(1)}" height="${bottom - lanesY}" class="${rescue ? 'rescuebg' : `playbg${i % 2}`}"/>`);
  }
  for (const [i, p] of t.phases.entries()) head.push(band(p.name, x(p.start_ms), phasesY, w(p.start_ms, p.end_ms), `phase f${i % 2}`, `phase: ${p.name} (${formatDuration(p.end_ms - p.start_ms)})`));

  // Bars: data-i indexes the page's bar table (tooltip); drawn over the bands.
  const barH = Math.max(3, laneH - 6);
  const bars = t.bars.map((b, i) => {
    const ly = laneY.get(b.host) ?? lanesY;
    return `<rect class="b ${b.status}${b.ignored ? ' ign' : ''}" data-i="${i}" x="${x(b.start_ms).toFixed(1)}" y="${ly + (laneH - barH) / 2}" width="${w(b.start_ms, b.end_ms).toFixed(1)}" height="${barH}"/>`;
  });

  // Downtime and failure point: labelled in the head, drawn over the lanes.
  const marksHead: string[] = [];
  const marksBody: string[] = [];
  const windows = t.downtime?.windows ?? [];
  for (const [i, d] of windows.entries()) {
    const title = `${d.label}: ${d.t1} → ${d.t2 ?? 'end'}${windows.length > 1 ? ` (${t.downtime!.label})` : ''}`;
    const rect = `<rect x="${x(d.start_ms).toFixed(1)}" y="${marksY}" width="${w(d.start_ms, d.end_ms).toFixed(1)}" height="${bottom - marksY}" class="down"><title>${esc(title)}</title></rect>`;
    // Several windows (a multi-hop run): each label only as long as the room before the next window.
    const next = windows[i + 1];
    const text = windows.length > 1 ? fitDownLabel(d, (next ? x(next.start_ms) : LABEL_W + PLOT_W) - x(d.start_ms) - 8) : d.label;
    const id = windows.length > 1 ? `downtime-${i + 1}` : 'downtime';
    const hop = d.hop ? ` data-hop="${d.hop.index}/${d.hop.of} ${esc(d.hop.from)} → ${esc(d.hop.to)}"` : '';
    marksHead.push(`<g id="${id}" class="downtime" data-t1="${esc(d.t1)}" data-t2="${esc(d.t2 ?? '')}" data-end="${d.end_kind}"${hop}>${rect}<text x="${(x(d.start_ms) + 4).toFixed(1)}" y="${marksY + 13}" class="downl">${esc(text)}</text></g>`);
    marksBody.push(rect);
  }
  const f = t.failure;
  if (f) {
    const fx = x(f.at_ms).toFixed(1);
    const line = `<line x1="${fx}" x2="${fx}" y1="${failY}" y2="${bottom}" class="fail"/>`;
    const anchor = x(f.at_ms) > LABEL_W + PLOT_W / 2 ? 'end' : 'start';
    marksHead.push(`<g id="failure">${line}<text x="${fx}" y="${failY + 13}" class="faill" text-anchor="${anchor}"> ✕ ${esc(f.status)}: ${esc(truncate(f.task, 60))} on ${esc(f.host)} </text><title>${esc(`${f.task} on ${f.host}: ${f.message}`)}</title></g>`);
    marksBody.push(line);
  }
  // Two pictures on one coordinate system: the head (axis, bands, labels) stays in view while the lanes scroll.
  const svg = (id: string, y0: number, h: number, content: string) =>
    `<svg xmlns="http://www.w3.org/2000/svg" id="${id}" width="${WIDTH}" height="${h}" viewBox="0 ${y0} ${WIDTH} ${h}" font-family="system-ui, sans-serif">${content}</svg>`;
  return {
    head: svg('timeline-head', 0, lanesY, `${head.join('')}${marksHead.join('')}`),
    lanes: svg('timeline', lanesY, height - lanesY, `${lanes.join('')}${body.join('')}<g id="bars">${bars.join('')}</g>${marksBody.join('')}`),
  };
}

function band(label: string, x0: number, y0: number, width: number, cls: string, title: string): string {
  // The label only where it fits (about 6 px a character); the title always.
  const fits = Math.floor((width - 6) / 6.2);
  const text = fits >= 3 ? `<text x="${(x0 + 3).toFixed(1)}" y="${y0 + 13}" class="bandl">${esc(truncate(label, fits))}</text>` : '';
  return `<g class="${cls}"><rect x="${x0.toFixed(1)}" y="${y0}" width="${width.toFixed(1)}" height="${ROW}" rx="2"/>${text}<title>${esc(title)}</title></g>`;
}

/** The window's label if it fits in `room` px (bold 12 px: about 7 px a character), else `hop 1/2: 31.2 s`, cut to fit. */
function fitDownLabel(d: DowntimeWindow, room: number): string {
  const chars = Math.floor(room / 7);
  if (d.label.length <= chars) return d.label;
  const short = `${d.hop ? `hop ${d.hop.index}/${d.hop.of}: ` : ''}${d.end_kind === 'run_end' ? '≥ ' : ''}${formatDuration(d.end_ms - d.start_ms)}`;
  return short.length <= chars ? short : truncate(short, Math.max(2, chars));
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, Math.max(1, n - 1))}…` : s;
}
