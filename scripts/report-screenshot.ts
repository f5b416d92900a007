/**
 * A PNG of a run report, as the README shows: the page opened in headless Chromium (Debian's, through
 * playwright-core; never a downloaded browser), down to the HA configuration.
 *   npx tsx scripts/report-screenshot.ts REPORT.html docs/report.png
 */
import { openFile } from '../test/support/browser.js';

const [file, out] = process.argv.slice(2);
if (!file || !out) {
  console.error('usage: npx tsx scripts/report-screenshot.ts REPORT.html OUT.png');
  process.exit(5);
}
const opened = await openFile(file, { width: 1280, height: 900 });
try {
  const page = opened.page;
  const bottom = await page.evaluate(() => {
    const h = [...document.querySelectorAll('h3')].find((e) => e.textContent === 'HA configuration');
    return h ? h.getBoundingClientRect().top + window.scrollY : document.body.scrollHeight;
  });
  await page.screenshot({ path: out, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.ceil(bottom) } });
  console.log(out);
} finally {
  await opened.close();
}
