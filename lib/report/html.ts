/**
 * The report as one self-contained HTML page: styles, script, data and the SVG timeline inline, and a
 * Content-Security-Policy that forbids the page any request (it opens from a file, a mail, a ticket).
 */
import type { ContainerState, Downtime, DowntimeWindow, ReportData } from './model.js';
import { esc, scriptJson } from './escape.js';
import { formatDuration } from './oms.js';
import { timelineSvg } from './svg.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#fff}
main{padding:16px 24px;max-width:1300px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
table{border-collapse:collapse;margin:4px 0}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}.kv th{width:170px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
pre{background:#f6f8fa;border:1px solid #d0d7de;padding:8px;white-space:pre-wrap;word-break:break-all}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600}
.o-ok{background:#1a7f37}.o-failed,.o-error,.o-unreachable{background:#cf222e}.o-interrupted,.o-unfinished{background:#9a6700}
.chk{background:#0969da}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-1px;margin-right:4px}
.scroll{overflow:auto;max-height:85vh;border:1px solid #d0d7de}.sticky{position:sticky;top:0;background:#fff;z-index:1;line-height:0}#timeline{display:block}
#timeline .b.ok,.legend .ok{fill:#2da44e;background:#2da44e}#timeline .b.changed,.legend .changed{fill:#d4a72c;background:#d4a72c}
#timeline .b.failed,.legend .failed{fill:#cf222e;background:#cf222e}#timeline .b.unreachable,.legend .unreachable{fill:#8250df;background:#8250df}
#timeline .b.skipped,.legend .skipped{fill:#afb8c1;background:#afb8c1}#timeline .b.ign{opacity:.55}
#timeline .b{cursor:pointer}#timeline .b:hover,#timeline .b.sel{stroke:#000;stroke-width:1}
.l0{fill:#fff}.l1{fill:#f6f8fa}.hl{text-anchor:end;fill:#1f2328}.rg{font-size:11px;font-weight:700;fill:#57606a}.rl{stroke:#d0d7de}
.grid{stroke:#eaeef2}.tick{font-size:10px;fill:#57606a;text-anchor:middle}.rowname{font-size:11px;fill:#57606a;text-anchor:end}
.play rect{fill:#ddf4ff;stroke:#54aeff}.play.p1 rect{fill:#eef6ff}.play.rescue rect{fill:#fff1e5;stroke:#fb8f44}
.phase rect{fill:#f6f8fa;stroke:#afb8c1}.phase.f1 rect{fill:#eaeef2}.bandl{font-size:11px;fill:#1f2328}
.playbg0{fill:#0969da;opacity:.025}.playbg1{fill:#0969da;opacity:.05}.rescuebg{fill:#fb8f44;opacity:.10}
.down{fill:#cf222e;opacity:.13;stroke:#cf222e;stroke-dasharray:4 3}.downl{font-size:12px;font-weight:700;fill:#a40e26}
.fail{stroke:#cf222e;stroke-width:2;stroke-dasharray:5 3}.faill{font-size:12px;font-weight:700;fill:#cf222e}
#tip{position:fixed;display:none;max-width:520px;background:#1f2328;color:#fff;padding:8px 10px;border-radius:6px;font-size:12.5px;pointer-events:none;z-index:9;white-space:pre-wrap}
.chg{background:#fff8c5}.muted{color:#57606a}ul{margin:4px 0;padding-left:20px}
`;

// Hover or click on a bar: task, host, times, status and the result's summary.
const SCRIPT = `
(function(){
var d=JSON.parse(document.getElementById('report-data').textContent);var t0=Date.parse(d.header.started_at);
var tip=document.getElementById('tip');var svg=document.getElementById('timeline');var sel=null;
function fmt(ms){return ms<1000?Math.round(ms)+' ms':(ms/1000).toFixed(ms<10000?2:1)+' s'}
function text(i){var b=d.timeline.bars[i],t=d.timeline.tasks[b.task];
return t.name+'\\nhost: '+b.host+'   status: '+b.status+(b.ignored?' (ignored)':'')+'\\nplay: '+t.play+'\\n'+new Date(t0+b.start_ms).toISOString()+' → '+new Date(t0+b.end_ms).toISOString().slice(11)+' ('+fmt(b.end_ms-b.start_ms)+')'+(b.summary?'\\n'+b.summary:'')}
function show(ev,i){tip.textContent=text(i);tip.style.display='block';var x=Math.min(ev.clientX+14,innerWidth-540);tip.style.left=x+'px';tip.style.top=Math.min(ev.clientY+14,innerHeight-tip.offsetHeight-8)+'px'}
svg.addEventListener('mousemove',function(ev){var i=ev.target.getAttribute&&ev.target.getAttribute('data-i');if(i!==null&&i!==undefined)show(ev,+i);else if(!sel)tip.style.display='none'});
svg.addEventListener('mouseleave',function(){if(!sel)tip.style.display='none'});
svg.addEventListener('click',function(ev){var i=ev.target.getAttribute('data-i');if(sel)sel.classList.remove('sel');if(i===null){sel=null;tip.style.display='none';return}sel=ev.target;sel.classList.add('sel');show(ev,+i);
document.getElementById('picked').textContent=text(+i)});
})();`;

export function renderHtml(data: ReportData): string {
  const h = data.header;
  const title = `${h.outcome === 'ok' ? '✔' : '✖'} ${basename(h.playbook)} — run ${h.run_id}`;
  const counts: Record<string, number> = {};
  for (const b of data.timeline.bars) counts[b.status] = (counts[b.status] ?? 0) + 1;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><main>
<h1>${esc(basename(h.playbook))} <span class="badge o-${esc(h.outcome)}" id="outcome">${esc(h.outcome)}</span>${h.check ? ' <span class="badge chk">check mode</span>' : ''}</h1>
<div class="muted">omsplay run report · run <span class="mono">${esc(h.run_id)}</span></div>
${headerTable(data)}
${nextSteps(data)}
<h2>Timeline</h2>
<div class="legend">${['ok', 'changed', 'failed', 'unreachable', 'skipped'].map((s) => `<span><i class="${s}"></i>${s} ${counts[s] ?? 0}</span>`).join('')}<span class="muted">${data.timeline.bars.length} task results on ${data.hosts.length} hosts · hover or click a bar</span></div>
${timelineBlock(data)}
<pre id="picked" class="muted">Click a bar to keep its details here.</pre>
${hostsSection(data)}
${metadbSection(data)}
${warningsSection(data)}
<p class="muted">Written by omsplay from the run's journal. Secrets are masked (********) as in every other output.</p>
</main><div id="tip"></div>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}

function timelineBlock(data: ReportData): string {
  const svg = timelineSvg(data.timeline);
  return `<div class="scroll"><div class="sticky">${svg.head}</div>${svg.lanes}</div>`;
}

function basename(p: string): string {
  return p.split('/').pop() ?? p;
}

function headerTable(data: ReportData): string {
  const h = data.header;
  const d = data.timeline.downtime;
  const rows: Array<[string, string]> = [
    ['Playbook', `<span class="mono">${esc(h.playbook)}</span>`],
    ['Inventory', `<span class="mono">${esc(h.inventory)}</span>`],
    ['Run by', esc(h.operator ?? 'not recorded')],
    ['Started', esc(h.started_at)],
    ['Ended', esc(h.ended_at ?? 'not finished')],
    ['Duration', h.duration_ms === undefined ? '—' : esc(formatDuration(h.duration_ms))],
    ['Exit code', h.exit_code === undefined ? esc(h.exit_meaning) : `<b>${h.exit_code}</b> — ${esc(h.exit_meaning)}`],
    ['Check mode', h.check ? 'yes (nothing was changed)' : 'no'],
  ];
  if (h.from_run) rows.push(['From run', `<span class="mono">${esc(h.from_run)}</span>`]);
  if (d) rows.push(['OMS downtime', downtimeCell(d)]);
  const f = data.timeline.failure;
  if (f) rows.push(['Failed at', `<b>${esc(f.task)}</b> on ${esc(f.host)} (${esc(f.status)})<br>${esc(f.message)}`]);
  if (data.timeline.rescue) rows.push(['Rescue', esc(data.timeline.rescue.name)]);
  return `<table class="kv" id="header">${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`;
}

/** One window: its label and times, as always; several: their sum, then each window (hop, length, times) on a line of its own. */
function downtimeCell(d: Downtime): string {
  const times = (w: DowntimeWindow, last: boolean) =>
    `<span class="mono">${esc(w.t1)} → ${esc(w.t2 ?? (w.end_kind === 'old_back' ? 'old containers healthy again' : last ? 'not back at the end of the run' : 'not seen back'))}</span>`;
  if (d.windows.length === 1) return `<b>${esc(d.label)}</b><br>${times(d.windows[0]!, true)}`;
  const lines = d.windows.map((w, i) => `<li class="down-window" data-start="${esc(w.t1)}" data-end="${w.end_kind}">${esc(w.label)}<br>${times(w, i === d.windows.length - 1)}</li>`);
  return `<b>${esc(d.label)}</b><ul id="down-windows">${lines.join('')}</ul>`;
}

function nextSteps(data: ReportData): string {
  if (data.next_steps.length === 0) return '';
  return `<h2>What to run next</h2><p>The run did not end cleanly. ${data.header.playbook.endsWith('upgrade.yml') ? 'If the site is not back on the old version (see below), roll back with:' : 'To go on:'}</p>${data.next_steps.map((s) => `<pre class="next">${esc(s)}</pre>`).join('')}`;
}

function state(s: ContainerState | undefined): string {
  if (!s) return '<span class="muted">not seen</span>';
  if (!s.exists) return 'absent';
  return [s.state ?? '?', s.image ? `<span class="mono">${esc(s.image)}</span>` : '', s.restart_policy ? `restart ${esc(s.restart_policy)}` : ''].filter(Boolean).join(' · ');
}

function hostsSection(data: ReportData): string {
  const rows = data.hosts.map((h) => {
    const containers = h.containers.length
      ? h.containers.map((c) => `<tr${JSON.stringify(c.before) !== JSON.stringify(c.after) ? ' class="chg"' : ''}><td class="mono">${esc(c.name)}</td><td>${state(c.before)}</td><td>${state(c.after)}</td></tr>`).join('')
      : '<tr><td colspan="3" class="muted">no container touched</td></tr>';
    const counts = Object.entries(h.counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    const version = h.version_before || h.version_after ? ` · OMS ${esc(h.version_before ?? '?')} → ${esc(h.version_after ?? '?')}` : '';
    return `<tr class="host" data-host="${esc(h.host)}"><th colspan="3">${esc(h.host)} <span class="muted">(${esc(h.region)})${version}${counts ? ` · ${esc(counts)}` : ''}</span></th></tr>${containers}`;
  });
  // Many hosts: the table folds (the timeline already shows them all); a click opens it.
  const open = data.hosts.length <= 20 ? ' open' : '';
  return `<h2>Per host: what changed</h2><details${open}><summary>${data.hosts.length} hosts: containers before and after</summary><table id="hosts"><tr><th>container</th><th>before</th><th>after</th></tr>${rows.join('')}</table></details>`;
}

function metadbSection(data: ReportData): string {
  const m = data.metadb;
  if (!m.dumps.length && !m.ha_before && !m.ha_after && !m.versions.length && !m.restored.length) return '';
  const dumps = m.dumps.length
    ? `<table id="dumps"><tr><th>database</th><th>size</th><th>sha256</th><th>location</th><th>verified</th></tr>${m.dumps
        .map((d) => `<tr><td class="mono">${esc(d.database)}</td><td>${d.size === undefined ? '?' : `${d.size.toLocaleString('en')} bytes`}</td><td class="mono">${esc(d.sha256 ?? '?')}</td><td class="mono">${esc(d.host)}:${esc(d.path)}</td><td>${d.completed ? 'yes' : 'no'}</td></tr>`)
        .join('')}</table>`
    : '<p class="muted">No dump taken by this run.</p>';
  const keys = [...new Set([...Object.keys(m.ha_before ?? {}), ...Object.keys(m.ha_after ?? {})])];
  const show = (v: unknown) => (v === undefined ? '' : esc(JSON.stringify(v)));
  const ha = keys.length
    ? `<table id="ha"><tr><th>ha.config</th><th>before</th><th>after</th></tr>${keys
        .map((k) => {
          const a = m.ha_before?.[k];
          const b = m.ha_after?.[k];
          return `<tr${JSON.stringify(a) !== JSON.stringify(b) ? ' class="chg"' : ''}><td class="mono">${esc(k)}</td><td class="mono">${show(a)}</td><td class="mono">${show(b)}</td></tr>`;
        })
        .join('')}</table>`
    : '';
  const versions = m.versions.length
    ? `<table id="versions"><tr><th>hop</th><th>version before</th><th>version after</th></tr>${m.versions.map((v) => `<tr><td>${esc(v.hop)}</td><td>${esc(v.before ?? '?')}</td><td>${esc(v.after ?? '?')}</td></tr>`).join('')}</table>`
    : '';
  const restored = m.restored.length ? `<p>Restored from dumps: <span class="mono">${m.restored.map(esc).join(', ')}</span></p>` : '';
  return `<h2>MetaDB</h2>${versions}<h3>Dumps</h3>${dumps}${restored}${ha ? `<h3>HA configuration</h3>${ha}` : ''}`;
}

function warningsSection(data: ReportData): string {
  if (!data.warnings.length) return '';
  return `<h2>Warnings</h2><ul id="warnings">${data.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`;
}
