/**
 * The report in a real browser: headless Chromium (Debian's, or CHROMIUM_PATH; never one
 * downloaded) opens a report of a run with every kind of plot, and every plot must have
 * rendered, with no console error and no request for anything. The screenshot is saved to
 * out/test-artifacts/ for a person to look at. Without a Chromium the test says why and skips.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
const CHROMIUM = CANDIDATES.find((path): path is string => !!path && existsSync(path));
if (!CHROMIUM) {
  console.log(
    'report-browser: skipped, no Chromium at $CHROMIUM_PATH, /usr/bin/chromium or /usr/bin/chromium-browser ' +
      '(.ci/run installs Debian’s chromium; or set CHROMIUM_PATH)',
  );
}

interface PictureElement {
  readonly complete: boolean;
  readonly naturalWidth: number;
  readonly naturalHeight: number;
  getBBox(): { readonly width: number };
}

interface Styled {
  getComputedStyle(element: unknown): { readonly display: string };
}

const SCREENSHOT = resolve('out/test-artifacts/report-chromium.png');

/** A run over the EPOS fixture with a trailing partial record (a warning) and every kind of plot. */
async function makeReport(dir: string): Promise<string> {
  const spec = join(dir, 'spec.yaml');
  writeFileSync(
    spec,
    `name: atom-probe report
source: { type: epos, path: test/fixtures/epos/ions-tail.epos, onRemainder: warn }
sinks:
  - { type: stats, columns: ['m/n (Da)', 'x (nm)', 'y (nm)'] }
  - { type: quantiles, columns: ['m/n (Da)'], q: [0.05, 0.25, 0.75, 0.95] }
  - type: plot
    of: { type: histogram, column: 'm/n (Da)', bins: 200, range: [0, 100] }
    out: ${dir}/mass.svg
    logCounts: true
  - type: plot
    of: { type: histogram2d, x: 'x (nm)', y: 'y (nm)', bins: 40 }
    out: ${dir}/map.png
  - { type: histogram, column: 'TOF (ns)', bins: 50 }
  - { type: welch, column: 'm/n (Da)', nperseg: 256 }
  - { type: spectrogram, column: 'TOF (ns)', nperseg: 64, out: ${dir}/tof-spectrogram.npy }
`,
  );
  const report = join(dir, 'report.html');
  const result = await runCli(['run', spec, '--report', report]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return report;
}

describe('the report in Chromium', () => {
  it.skipIf(!CHROMIUM)(
    'renders every plot, logs no error and requests nothing',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-report-browser-'));
      const report = await makeReport(dir);
      const url = pathToFileURL(report).href;
      const root = process.getuid?.() === 0;
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        // Chromium's sandbox refuses to run as root (CI runs as root).
        args: ['--disable-dev-shm-usage', ...(root ? ['--no-sandbox'] : [])],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
        const problems: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
        });
        page.on('pageerror', (error) => problems.push(error.message));
        const requests: string[] = [];
        page.on('request', (request) => {
          if (request.url() !== url && !request.url().startsWith('data:')) requests.push(request.url());
        });
        await page.goto(url, { waitUntil: 'load' });
        const plots = await page.$$eval('figure.plot-figure > .plot', (elements) =>
          elements.map((element) => {
            const box = element.getBoundingClientRect();
            // What an <img> and an <svg> have (the DOM's types are not in this project's lib).
            const picture = element as unknown as PictureElement;
            const drawn =
              element.tagName === 'IMG'
                ? picture.complete && picture.naturalWidth > 0 && picture.naturalHeight > 0
                : picture.getBBox().width > 0 && element.querySelectorAll('text').length > 0;
            return { tag: element.tagName.toLowerCase(), width: box.width, height: box.height, drawn };
          }),
        );
        // mass spectrum (svg), detector map (png); TOF histogram, welch and spectrogram drawn
        // for the report.
        expect(plots.map((p) => p.tag)).toEqual(['svg', 'img', 'svg', 'svg', 'svg']);
        for (const plot of plots) {
          expect(plot.drawn).toBe(true);
          expect(plot.width).toBeGreaterThan(300);
          expect(plot.height).toBeGreaterThan(150);
        }
        expect(await page.textContent('#messages')).toContain('ignoring the trailing');
        expect(problems).toEqual([]);
        expect(requests).toEqual([]);
        mkdirSync(resolve(SCREENSHOT, '..'), { recursive: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
        console.log(`report-browser: screenshot of ${plots.length} plots at ${SCREENSHOT}`);
        // Printed, the navigation goes and the plots stay.
        await page.emulateMedia({ media: 'print' });
        const display = await page.$eval(
          'nav.toc',
          (nav) => (globalThis as unknown as Styled).getComputedStyle(nav).display,
        );
        expect(display).toBe('none');
        const printed = await page.$$eval('figure.plot-figure > .plot', (els) =>
          els.map((el) => el.getBoundingClientRect().width),
        );
        expect(printed.every((width) => width > 300)).toBe(true);
      } finally {
        await browser.close();
      }
    },
    120_000,
  );
});
