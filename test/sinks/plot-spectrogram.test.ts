import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeEpos } from '../../scripts/sample-epos.ts';
import { formatNpyHeader } from '../../src/formats/npy/header.ts';
import { run } from '../../src/pipeline/api.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-plot-spectrogram-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FS = 1000;
const SAMPLES = 16_384;

/** A float64 .npy: 100 Hz for the first half, 300 Hz for the second. */
function writeTones(path: string): void {
  const x = Float64Array.from({ length: SAMPLES }, (_, n) =>
    Math.sin((2 * Math.PI * (n < SAMPLES / 2 ? 100 : 300) * n) / FS),
  );
  const header = formatNpyHeader({ descr: '<f8', fortranOrder: false, shape: [SAMPLES] });
  writeFileSync(path, Buffer.concat([header, new Uint8Array(x.buffer)]));
}

/** The RGB rows of the PNG inside the SVG's cells image. */
function cellsImage(svg: string): { width: number; height: number; rgb: Uint8Array } {
  const png = Buffer.from(
    /<image class="cells"[^>]* href="data:image\/png;base64,([^"]+)"/.exec(svg)![1],
    'base64',
  );
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const raw = inflateSync(png.subarray(41, 41 + png.readUInt32BE(33)));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    rgb.set(raw.subarray(y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1)), y * width * 3);
  return { width, height, rgb };
}

/** The image row (from the top) whose pixel in column x is the brightest (viridis: most green). */
function loudestRow(image: { width: number; height: number; rgb: Uint8Array }, x: number): number {
  let best = 0;
  for (let y = 1; y < image.height; y++) {
    if (image.rgb[(y * image.width + x) * 3 + 1] > image.rgb[(best * image.width + x) * 3 + 1]) best = y;
  }
  return best;
}

describe('plot of a spectrogram', () => {
  const input = join(dir, 'tones.npy');
  writeTones(input);

  it('draws time × frequency in dB, the frequency axis ending at Nyquist, the tones where they are', async () => {
    const svgPath = join(dir, 'spec.svg');
    const report = await run({
      source: { type: 'npy', path: input, sampleRate: FS, chunkRows: 1000 },
      sinks: [
        { type: 'plot', of: { type: 'spectrogram', nperseg: 128, out: join(dir, 'sxx.npy') }, out: svgPath },
      ],
    });
    expect((report.sinks[0].result as { shape: number[] }).shape[0]).toBe(65);
    const svg = readFileSync(svgPath, 'utf8');
    expect(svg).toContain(`>spectrogram of ${input}</text>`);
    expect(svg).toContain('>time (s)</text>');
    expect(svg).toContain('>frequency (Hz)</text>');
    expect(svg).toContain('>PSD (dB re 1 unit²/Hz)</text>');
    const yGroup = svg.slice(
      svg.indexOf('class="y-ticks"'),
      svg.indexOf('</g>', svg.indexOf('class="y-ticks"')),
    );
    expect(Number([...yGroup.matchAll(/data-value="([^"]+)"/g)].at(-1)![1])).toBe(FS / 2);
    const image = cellsImage(svg);
    // Frequency 0 … 500 Hz over the image's rows, top row 500 Hz: the tones at 100 then 300 Hz.
    const hz = (row: number) => (1 - (row + 0.5) / image.height) * (FS / 2);
    expect(Math.abs(hz(loudestRow(image, Math.floor(image.width / 4))) - 100)).toBeLessThan(8);
    expect(Math.abs(hz(loudestRow(image, Math.floor((3 * image.width) / 4))) - 300)).toBeLessThan(8);
  });

  it('renders it to PNG too, and refuses a spectrogram it could not read back', async () => {
    const pngPath = join(dir, 'spec.png');
    await run({
      source: { type: 'npy', path: input, sampleRate: FS },
      sinks: [
        { type: 'plot', of: { type: 'spectrogram', nperseg: 256, out: join(dir, 's2.npy') }, out: pngPath },
      ],
    });
    expect(readFileSync(pngPath).readUInt32BE(16)).toBe(800);
    await expect(
      run({
        source: { type: 'npy', path: input, sampleRate: FS },
        sinks: [
          { type: 'plot', of: { type: 'spectrogram', out: join(dir, 's.csv') }, out: join(dir, 'x.svg') },
        ],
      }),
    ).rejects.toMatchObject({ code: 'PARAMS_INVALID' });
  });
});

describe('plot of a detector map', () => {
  it('draws det_x against det_y (both mm) at equal aspect: square cells, a round detector', async () => {
    const epos = join(dir, 'run.epos');
    writeEpos(epos, 20_000);
    const out = join(dir, 'det.svg');
    const fill = join(dir, 'det-fill.svg');
    const of = {
      type: 'histogram2d',
      x: 'det_x (mm)',
      y: 'det_y (mm)',
      bins: 40,
      range: [
        [-40, 40],
        [-40, 40],
      ],
    };
    await run({
      source: { type: 'epos', path: epos },
      sinks: [
        { type: 'plot', of, out },
        { type: 'plot', of, out: fill, aspect: 'fill' },
      ],
    });
    const frame = (svg: string) =>
      /<rect class="frame" x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="([\d.]+)"/
        .exec(svg)!
        .slice(1)
        .map(Number);
    const svg = readFileSync(out, 'utf8');
    const [w, h] = frame(svg);
    expect(w).toBe(h);
    // Every cell is a square 1/40 of the frame (runs of equal colour are whole multiples of it).
    const group = svg.slice(
      svg.indexOf('<g class="cells"'),
      svg.indexOf('</g>', svg.indexOf('<g class="cells"')),
    );
    const cells = [...group.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="([\d.]+)"/g)];
    expect(cells.length).toBeGreaterThan(40);
    for (const [, cw, ch] of cells) {
      expect(Number(ch)).toBeCloseTo(h / 40, 1);
      expect(Number(cw) / (w / 40)).toBeCloseTo(Math.round(Number(cw) / (w / 40)), 1);
    }
    const [fw, fh] = frame(readFileSync(fill, 'utf8'));
    expect(fw).toBeGreaterThan(fh);
  });
});
