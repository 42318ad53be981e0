import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/report/html.ts';
import { figureHtml, inlineSvg } from '../../src/report/pictures.ts';
import { renderReportHtml } from '../../src/report/render-report.ts';
import type { InputFacts, Picture } from '../../src/report/report-types.ts';
import { HOSTILE, sampleFile, sampleInput } from './report-fixture.ts';

const FACTS: InputFacts = {
  size: 8128,
  modified: new Date(Date.UTC(2025, 5, 6, 7, 8, 9)),
  sha256: 'ab'.repeat(32),
  whole: true,
};

function render(files = [sampleFile('data/a.npy')], pictures = new Map<string, Picture>()): string {
  return renderReportHtml(sampleInput(files), { facts: new Map([['data/a.npy', FACTS]]), pictures });
}

describe('the HTML report', () => {
  it('shows the run: figures, the input with its fingerprint, each sink’s result, the spec, the messages', () => {
    const html = render();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    // Summary figures.
    expect(html).toContain('1,000'); // rows read
    expect(html).toContain('0.50 s');
    expect(html).toContain('16.0 kB/s'); // 8000 B in 0.5 s
    expect(html).toContain('150.0 MiB'); // peak RSS
    // The input file: size, modification time, fingerprint.
    expect(html).toContain('7.9 KiB');
    expect(html).toContain('title="2025-06-06T07:08:09.000Z">2025-06-06 07:08</span>');
    expect(html).toContain(`title="${'ab'.repeat(32)}"`);
    // stats as a table, its numbers in 7 significant digits.
    expect(html).toMatch(
      /<td class="num">0\.1234568<\/td><td class="num">1\.5<\/td><td class="num">-4\.25<\/td>/,
    );
    // quantiles, with the sketch's error.
    expect(html).toContain('<th class="num">q 0.05</th>');
    expect(html).toContain('<td class="num">3.125</td>');
    expect(html).toContain('±1.7 % of rank');
    // histogram and spectrum facts, and their plots drawn for the report.
    expect(html).toContain('[1, 2) with 400');
    expect(html).toContain('0.010001 at 50,000 Hz (DC left out)');
    expect(html.match(/<figure class="plot-figure"><svg /g)).toHaveLength(3); // histogram, welch, histogram2d
    expect(html).toContain('frequency (Hz)'); // labelled from the schema's sample rate
    // A spectrogram: its shape and axes.
    expect(html).toContain('129 frequencies × 30 times');
    expect(html).toContain('0 to 512,000 Hz');
    expect(html).toContain('0.000125 to 0.00375 s, every 0.000125 s');
    // The writer sink: its output, no plot.
    expect(html).toContain('<li>out/copy.npy</li>');
    // The spec as YAML, the version, the messages.
    expect(html).toContain('specs/demo.yaml');
    expect(html).toContain('sluice 9.8.7');
    expect(html).toContain('2026-01-02 03:04:05 UTC');
    expect(html).toContain('<section id="messages">');
  });

  it('escapes every user string: names, columns, paths, messages, the spec', () => {
    const html = render([sampleFile(`data/${HOSTILE}.npy`)]);
    expect(html).not.toContain('<script');
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;');
    expect(html).toContain(`<p class="description">Checks ${escapeHtml(HOSTILE)}</p>`);
  });

  it('shows the spec as YAML that reads back as the spec that ran', () => {
    const spec = {
      name: HOSTILE,
      source: { type: 'npy', path: 'a b.npy', sampleRate: 1e6 },
      sinks: [{ type: 'quantiles', columns: ['m/n (Da)', 'x: y'], q: [0.05, 0.95] }],
    };
    const html = renderReportHtml(sampleInput([], spec), { facts: new Map(), pictures: new Map() });
    const text = html.match(/<pre class="spec">([^]*?)<\/pre>/)![1];
    const unescaped = text.replace(
      /&(lt|gt|quot|#39|amp);/g,
      (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!,
    );
    expect(parse(unescaped)).toEqual(spec);
    expect(unescaped).toContain('q: [0.05, 0.95]');
  });

  it('refers to nothing outside itself: no URL, a policy that forbids loading, no script', () => {
    const html = render();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<(script|link|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/\ssrc="(?!data:)/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).toContain('@media print');
  });

  it('over many files: a row per file linking to its section, failures with their error', () => {
    const files = [
      sampleFile('data/a.npy'),
      {
        input: 'data/b.npy',
        status: 'failed' as const,
        outputs: [],
        error: { code: 'FORMAT_INVALID', message: `bad ${HOSTILE}`, hint: 'check it' },
      },
      { input: 'data/c.npy', status: 'skipped' as const, outputs: ['out/c.json'] },
    ];
    const html = render(files);
    for (const n of [1, 2, 3]) {
      expect(html).toContain(`href="#file-${n}"`);
      expect(html).toContain(`<section class="run" id="file-${n}">`);
    }
    expect(html).toContain('Input files (3)');
    expect(html).toContain('1 ok, 1 skipped, 1 failed');
    expect(html).toContain('<code>FORMAT_INVALID</code> bad &lt;script&gt;');
    expect(html).toContain('hint: check it');
    expect(html).toContain('<span class="status status-skipped">skipped</span>');
    // Ids of the plots drawn in each section are distinct.
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('embeds a sink’s SVG inline (ids prefixed) and a PNG as a data: URI, instead of drawing the result', () => {
    const svg = `<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs><linearGradient id="g"/></defs><rect fill="url(#g)" width="10" height="10"/></svg>`;
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const file = sampleFile('data/a.npy');
    const welch = { ...file.run!.sinks[3], type: 'plot', outputs: ['out/psd.svg', 'out/psd.png'] };
    const sinks = file.run!.sinks.map((s, i) => (i === 3 ? welch : s));
    const pictures = new Map<string, Picture>([
      ['out/psd.svg', { kind: 'svg', path: 'out/psd.svg', text: svg }],
      ['out/psd.png', { kind: 'png', path: 'out/psd.png', bytes: png }],
    ]);
    const html = render([{ ...file, run: { ...file.run!, sinks } }], pictures);
    expect(html).toContain('id="file-1-sink-3-plot-0-g"');
    expect(html).toContain('fill="url(#file-1-sink-3-plot-0-g)"');
    expect(html).toContain(`src="data:image/png;base64,${Buffer.from(png).toString('base64')}"`);
    expect(html).not.toContain('<?xml');
    expect(html.match(/<figure class="plot-figure">/g)).toHaveLength(4); // 2 pictures + histogram + histogram2d
  });
});

describe('embedding an SVG', () => {
  it('drops the prolog and namespaces, prefixes ids and their references', () => {
    const out = inlineSvg(
      `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><g id="a"/><use xlink:href="#a"/><rect data-id="k" fill="url(#a)"/></svg>`,
      'p-',
    );
    expect(out).toBe(
      '<svg role="img" class="plot"><g id="p-a"/><use href="#p-a"/><rect data-id="k" fill="url(#p-a)"/></svg>',
    );
  });

  it('shows an SVG that could run or fetch something as an image, never inline', () => {
    for (const text of [
      '<svg><script>alert(1)</script></svg>',
      '<svg><rect onload="alert(1)"/></svg>',
      '<svg><image href="https://example.org/x.png"/></svg>',
    ]) {
      const html = figureHtml({ kind: 'svg', path: 'x.svg', text }, 'p-', 'x.svg');
      expect(html).toMatch(
        /^<figure class="plot-figure"><img class="plot" alt="x\.svg" src="data:image\/svg\+xml;base64,/,
      );
      expect(html).not.toContain('alert');
    }
  });
});
