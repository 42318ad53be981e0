import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { Resvg } from '@resvg/resvg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { formatNpyHeader } from '../../src/formats/npy/header.ts';
import { viridisBytes } from '../../src/plot/color-scale.ts';
import { crc32, encodePngRgb } from '../../src/plot/png-image.ts';
import { readSpectrogramGrid, SpectrogramGridReducer } from '../../src/plot/spectrogram-image.ts';
import { renderSvgSpectrogram } from '../../src/plot/spectrogram-plot.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-spectrogram-plot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The RGB bytes of a PNG this module wrote (one IDAT, filter 0 rows). */
function decodePng(png: Uint8Array): { width: number; height: number; rgb: Uint8Array } {
  const view = new DataView(png.buffer, png.byteOffset);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const idatLength = view.getUint32(33);
  const raw = inflateSync(png.subarray(41, 41 + idatLength));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    rgb.set(raw.subarray(y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1)), y * width * 3);
  return { width, height, rgb };
}

describe('png-image', () => {
  it('writes a valid PNG: signature, CRCs, the pixels back after inflating', () => {
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    const png = encodePngRgb(2, 2, rgb);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(decodePng(png)).toEqual({ width: 2, height: 2, rgb });
    expect(() => encodePngRgb(2, 2, rgb.subarray(1))).toThrow(RangeError);
  });
});

describe('the spectrogram picture', () => {
  it('averages slices and bins into at most columns × rows cells', () => {
    // F = 4 bins, T = 6 slices into 3 columns × 2 rows: each cell the mean of 2 slices × 2 bins.
    const reducer = new SpectrogramGridReducer(4, 6, 3, 2);
    const block = Float64Array.from({ length: 24 }, (_, k) => k); // slice s, bin j = 4s + j
    reducer.add(block.subarray(0, 8), 0, 2);
    reducer.add(block.subarray(8), 2, 4);
    expect(Array.from(reducer.means((v) => v))).toEqual([2.5, 4.5, 10.5, 12.5, 18.5, 20.5]);
  });

  it('reads the sink’s Fortran-order .npy back in dB, time and frequency to their edges', async () => {
    const path = join(dir, 'sxx.npy');
    // F = 3 bins × T = 2 slices, Fortran order: slice 0 is [1, 10, 100], slice 1 [1000, 1, 0].
    const data = Float64Array.from([1, 10, 100, 1000, 1, 0]);
    const header = formatNpyHeader({ descr: '<f8', fortranOrder: true, shape: [3, 2] });
    writeFileSync(path, Buffer.concat([header, new Uint8Array(data.buffer)]));
    const result = {
      out: path,
      shape: [3, 2] as const,
      frequencies: [0, 250, 500],
      times: { first: 0.002, step: 0.004, count: 2 },
      mode: 'psd' as const,
      db: false,
    };
    const grid = await readSpectrogramGrid(result, 100, 100);
    expect(grid).toMatchObject({ columns: 2, rows: 3, timeRange: [0, 0.008], frequencyRange: [0, 500] });
    expect(Array.from(grid.values)).toEqual([0, 10, 20, 30, 0, -Infinity]);
    await expect(
      readSpectrogramGrid({ ...result, out: join(dir, 'sxx.parquet') }, 9, 9),
    ).rejects.toMatchObject({
      code: 'STAGE_FAILED',
    });
  });

  it('draws the cells as one image, top row the highest frequency, coloured on the dB scale', () => {
    // 2 columns × 3 rows, dB 0 … 50: the colour bar spans [0, 50] (within 100 dB of the top).
    const grid = {
      columns: 2,
      rows: 3,
      values: Float64Array.from([0, 10, 20, 30, 40, 50]),
      timeRange: [0, 2] as [number, number],
      frequencyRange: [0, 500] as [number, number],
    };
    const svg = renderSvgSpectrogram(grid, { title: 'S', xLabel: 'time (s)', yLabel: 'frequency (Hz)' });
    const href = /<image class="cells"[^>]* href="data:image\/png;base64,([^"]+)"/.exec(svg)![1];
    const { width, height, rgb } = decodePng(Buffer.from(href, 'base64'));
    // Enlarged to the plot area's pixels (800 × 500 less margins and the colour bar).
    expect([width, height]).toEqual([596, 400]);
    const pixel = (x: number, y: number) =>
      Array.from(rgb.subarray((y * width + x) * 3, (y * width + x) * 3 + 3));
    expect(pixel(0, 399)).toEqual(viridisBytes(0)); // column 0, lowest frequency: 0 dB
    expect(pixel(297, 0)).toEqual(viridisBytes(Math.floor((20 / 50) * 256))); // column 0, top: 20 dB
    expect(pixel(298, 0)).toEqual(viridisBytes(255)); // column 1, top: 50 dB
    // Rows 0 … 132 are the top cell, 133 … 265 the middle one (pixel y takes cell ⌊3y / 400⌋).
    expect(pixel(0, 132)).toEqual(viridisBytes(Math.floor((20 / 50) * 256)));
    expect(pixel(0, 134)).toEqual(viridisBytes(Math.floor((10 / 50) * 256)));
    expect(pixel(0, 266)).toEqual(viridisBytes(Math.floor((10 / 50) * 256)));
    expect(pixel(0, 267)).toEqual(viridisBytes(0));
    expect(svg).toMatch(/class="colorbar"[^>]* data-min="0" data-max="50"/);
    // The frequency axis ends at the last bin: its top tick is 500 (Nyquist).
    const group = svg.slice(
      svg.indexOf('class="y-ticks"'),
      svg.indexOf('</g>', svg.indexOf('class="y-ticks"')),
    );
    const yTicks = [...group.matchAll(/data-value="([^"]+)"/g)];
    expect(Number(yTicks.at(-1)![1])).toBe(500);
    expect(svg).not.toMatch(/<script|on\w+=/);
  });

  it('renders through resvg with the cells unsmoothed', () => {
    const values = Float64Array.from({ length: 40 * 20 }, (_, k) => (Math.floor(k / 20) % 2 === 0 ? 0 : 60));
    const grid = {
      columns: 40,
      rows: 20,
      values,
      timeRange: [0, 4] as [number, number],
      frequencyRange: [0, 1e3] as [number, number],
    };
    const svg = renderSvgSpectrogram(grid, { width: 800, height: 500 });
    const image = new Resvg(svg, { font: { loadSystemFonts: false }, background: '#ffffff' }).render();
    const frame = /<rect class="frame" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/
      .exec(svg)!
      .slice(1)
      .map(Number);
    const at = (x: number, y: number) =>
      Array.from(image.pixels.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 3));
    // The middle of column 0 and of column 1 (each frame.width / 40 wide): the end colours.
    const cell = frame[2] / 40;
    const y = Math.round(frame[1] + frame[3] / 2);
    expect(at(Math.round(frame[0] + cell / 2), y)).toEqual(viridisBytes(0));
    expect(at(Math.round(frame[0] + 1.5 * cell), y)).toEqual(viridisBytes(255));
  });
});
