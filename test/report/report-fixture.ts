/** A report's input as a run would give it: every kind of result, and user strings to escape. */
import type { ReportFile, ReportInput, ReportSink } from '../../src/report/report-types.ts';

/** A name with every character HTML gives meaning to. */
export const HOSTILE = `<script>alert("x")</script> & 'quoted'`;

export function sampleSinks(): ReportSink[] {
  const frequencies = Array.from({ length: 513 }, (_, k) => k * 1000);
  const psd = frequencies.map((f) => 1e-6 + (Math.abs(f - 50_000) < 1000 ? 1e-2 : 0));
  return [
    {
      type: 'stats',
      pointer: 'sinks[0]',
      rows: 1000,
      outputs: ['out/stats.json'],
      result: {
        columns: {
          value: { count: 1000, mean: 0.123456789, std: 1.5, min: -4.25, max: 4.75, nanCount: 0 },
          [HOSTILE]: { count: 1000, mean: 2, std: 0, min: 2, max: 2, nanCount: 3 },
        },
      },
    },
    {
      type: 'quantiles',
      name: 'spread',
      pointer: 'sinks[1]',
      rows: 1000,
      outputs: [],
      result: {
        columns: [
          {
            column: 'value',
            count: 1000,
            nan: 0,
            median: 0.25,
            quantiles: { '0.05': -2.5, '0.95': 3.125 },
            exact: false,
            rankError: 0.0165,
          },
        ],
      },
    },
    {
      type: 'histogram',
      pointer: 'sinks[2]',
      rows: 1000,
      outputs: [],
      params: { column: 'value', bins: 4 },
      result: {
        column: 'value',
        edges: [0, 1, 2, 3, 4],
        counts: [10, 400, 300, 7],
        underflow: 2,
        overflow: 0,
        nan: 0,
      },
    },
    {
      type: 'welch',
      pointer: 'sinks[3]',
      rows: 1000,
      outputs: ['out/psd.npy'],
      params: { column: 'value', nperseg: 1024 },
      result: {
        frequencies,
        psd,
        segments: 7,
        nperseg: 1024,
        nfft: 1024,
        window: 'hann',
        scaling: 'density',
      },
    },
    {
      type: 'histogram2d',
      pointer: 'sinks[4]',
      rows: 1000,
      outputs: [],
      params: { x: 'x', y: 'y', bins: 3 },
      result: {
        x: 'x',
        y: 'y',
        xedges: [0, 1, 2, 3],
        yedges: [0, 1, 2, 3],
        counts: [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 900],
        ],
      },
    },
    {
      type: 'spectrogram',
      pointer: 'sinks[5]',
      rows: 1000,
      outputs: ['out/spec.h5'],
      result: {
        out: 'out/spec.h5',
        shape: [129, 30],
        frequencies: Array.from({ length: 129 }, (_, k) => k * 4000),
        times: { first: 0.000125, step: 0.000125, count: 30 },
        mode: 'psd',
        db: true,
      },
    },
    { type: 'npy', pointer: 'sinks[6]', rows: 1000, outputs: ['out/copy.npy'], result: undefined },
  ];
}

export function sampleFile(input: string, sinks: ReportSink[] = sampleSinks()): ReportFile {
  return {
    input,
    status: 'ok',
    outputs: sinks.flatMap((s) => s.outputs),
    run: {
      source: { path: input, format: 'npy', backend: 'mmap' },
      rowsRead: 1000,
      bytesRead: 8000,
      seconds: 0.5,
      passes: 1,
      schema: { columns: [{ name: 'value', dtype: 'float64', width: 1, unit: 'V' }], sampleRate: 1_024_000 },
      sinks,
    },
  };
}

export function sampleInput(
  files: ReportFile[],
  spec: unknown = { name: HOSTILE, description: `Checks ${HOSTILE}` },
): ReportInput {
  return {
    title: HOSTILE,
    pipelines: [{ name: HOSTILE, specPath: 'specs/demo.yaml', spec, files }],
    version: '9.8.7',
    createdAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    seconds: 1.25,
    peakRssBytes: 150 * 1024 * 1024,
    messages: [`trailing bytes ignored in ${HOSTILE}`],
  };
}
