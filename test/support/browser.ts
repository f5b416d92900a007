/**
 * A real headless Chromium (Debian's `chromium`, installed by test/lab/install-packages.sh) driven by
 * playwright-core, which never downloads a browser: the executable is the system one. Every request a page
 * makes is recorded and, except the page's own file, refused, so a test can prove a page needs no network.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface OpenedPage {
  page: Page;
  /** Every URL the page asked for, its own file first. */
  requests: string[];
  close(): Promise<void>;
}

export async function openFile(file: string, viewport = { width: 1300, height: 900 }): Promise<OpenedPage> {
  const profile = await mkdtemp(join(tmpdir(), 'omsplay-chromium-'));
  let context: BrowserContext | undefined;
  try {
    // A fresh --user-data-dir each time (launchPersistentContext passes it), so nothing is shared between tests.
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport });
    const own = `file://${file}`;
    const requests: string[] = [];
    await context.route('**/*', (route) => (route.request().url() === own ? route.continue() : route.abort()));
    const page = await context.newPage();
    page.on('request', (r) => {
      requests.push(r.url());
    });
    await page.goto(own, { waitUntil: 'load' });
    const ctx = context;
    return {
      page,
      requests,
      close: async () => {
        await ctx.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await context?.close();
    await rm(profile, { recursive: true, force: true });
    throw e;
  }
}

/**
 * How much a PNG shows: distinct colours and the share of pixels that are not the background, counted in
 * the browser (a canvas on a blank page) so no image library is needed.
 */
export async function pictureStats(page: Page, png: Buffer): Promise<{ colours: number; inked: number }> {
  const blank = await page.context().newPage();
  try {
    return await blank.evaluate(async (dataUrl) => {
      const img = new Image();
      img.src = dataUrl;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const g = canvas.getContext('2d')!;
      g.drawImage(img, 0, 0);
      const px = g.getImageData(0, 0, img.width, img.height).data;
      const colours = new Set<number>();
      let inked = 0;
      for (let i = 0; i < px.length; i += 4) {
        colours.add((px[i]! << 16) | (px[i + 1]! << 8) | px[i + 2]!);
        if (px[i]! < 240 || px[i + 1]! < 240 || px[i + 2]! < 240) inked++;
      }
      return { colours: colours.size, inked: inked / (px.length / 4) };
    }, `data:image/png;base64,${png.toString('base64')}`);
  } finally {
    await blank.close();
  }
}
