/**
 * Single-thread Welch throughput of the two FFT paths on the same file in one run:
 *   tsx bench/welch-kernels.ts [MiB=256]
 * Welch (nperseg 4096, noverlap 2048, hann) over a generated float32 .npy through run(), once
 * with fft: float64 (fft.js, exact) and once with fft: float32 (PFFFT WASM SIMD), after warming
 * both on an odd-length file; then the per-segment kernel alone (no I/O). Prints GB/s
 * (10⁹ bytes), s per GiB, the float32/float64 ratio and the largest relative PSD difference.
 * Throughput is from the process's CPU time (user + system), which other processes on a shared
 * machine inflate far less than wall time; wall seconds are printed beside it.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../src/pipeline/api.ts';
import type { PsdResult } from '../src/dsp/psd-accumulator.ts';
import { loadFloat32Fft } from '../src/dsp/pffft.ts';
import type { FftPrecision } from '../src/dsp/pffft.ts';
import { RealFft } from '../src/dsp/real-fft.ts';
import { detrendInPlace } from '../src/dsp/detrend.ts';
import { SegmentSpectrum } from '../src/dsp/segment-spectrum.ts';
import { readSegment } from '../src/dsp/segments.ts';
import { makeWindow } from '../src/dsp/windows.ts';
import { BENCH_DIR, writeFloat32Npy, writeOddLengthWarmup } from './files.ts';

const mib = Number(process.argv[2] ?? 256);
const bytes = mib * 2 ** 20;
const file = join(BENCH_DIR, `sluice-bench-welch-kernels-${mib}MiB.npy`);
if (!existsSync(file) || statSync(file).size < bytes) writeFloat32Npy(file, bytes);
const precisions: FftPrecision[] = ['float64', 'float32'];

interface Timed {
  seconds: number;
  wall: number;
}

/** CPU seconds (user + system) and wall seconds of `f`. */
async function timed<T>(f: () => Promise<T> | T): Promise<Timed & { value: T }> {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const value = await f();
  const used = process.cpuUsage(cpu);
  return { value, seconds: (used.user + used.system) / 1e6, wall: (performance.now() - wall) / 1000 };
}

async function welch(path: string, fft: FftPrecision): Promise<Timed & { bytes: number; psd: number[] }> {
  const { value: report, ...time } = await timed(
    () =>
      run(
        {
          source: { type: 'npy', path, chunkRows: 1 << 20, sampleRate: 1 },
          sinks: [{ type: 'welch', nperseg: 4096, noverlap: 2048, window: 'hann', fft }],
        },
        { workers: 1 },
      ), // one thread: the kernels' speed, not the sharding's
  );
  return { ...time, bytes: report.bytesRead, psd: (report.sinks[0].result as PsdResult).psd };
}

const line = (label: string, t: Timed, n: number) =>
  `${label.padEnd(20)} ${(n / t.seconds / 1e9).toFixed(3)} GB/s  ${((t.seconds * 2 ** 30) / n).toFixed(2)} s/GiB` +
  `  (cpu ${t.seconds.toFixed(3)} s, wall ${t.wall.toFixed(3)} s)`;

const warmup = await writeOddLengthWarmup();
for (const fft of precisions) await welch(warmup, fft);

const runs: Record<string, Timed & { bytes: number; psd: number[] }> = {};
for (const fft of precisions) {
  runs[fft] = await welch(file, fft);
  console.log(line(`welch ${fft} (run)`, runs[fft], runs[fft].bytes));
}
console.log(`ratio float64/float32 time: ${(runs.float64.seconds / runs.float32.seconds).toFixed(2)}×`);
let worst = 0;
runs.float64.psd.forEach(
  (e, k) => (worst = Math.max(worst, Math.abs(runs.float32.psd[k] - e) / Math.abs(e))),
);
console.log(`largest relative PSD difference float32 vs float64: ${worst.toExponential(2)}`);

// The per-segment kernel alone, as welch runs it (lazyBins): detrend + window + FFT + power sum.
await loadFloat32Fft();
const signal = new Float32Array(1 << 23);
for (let i = 0; i < signal.length; i++) signal[i] = Math.sin(i * 0.01) + ((i * 7919) % 1000) * 1e-4;
const window = makeWindow({ name: 'hann' }, 4096);
const segments = Math.floor((signal.length - 4096) / 2048) + 1;
const kernel: Record<string, Timed> = {};
for (const fft of precisions) {
  const spectrum = new SegmentSpectrum(window, 4096, 'constant', fft, true);
  const sum = new Float64Array(spectrum.bins);
  const pass = () => {
    for (let k = 0; k < segments; k++) {
      spectrum.transformAt(signal, k * 2048);
      spectrum.addPowerTo(sum);
    }
  };
  pass();
  kernel[fft] = await timed(pass);
  spectrum.dispose();
  const perSegment = ((kernel[fft].seconds / segments) * 1e6).toFixed(1);
  console.log(`${line(`kernel ${fft}`, kernel[fft], segments * 2048 * 4)}  ${perSegment} µs/segment`);
}

// The float64 kernel as it was before fusing (copy, detrend, window, fft.js, unpack, power),
// rebuilt from the same primitives: the before/after of the float64 path on this machine.
{
  const fft = new RealFft(4096);
  const [x, re, im] = [new Float64Array(4096), new Float64Array(2049), new Float64Array(2049)];
  const sum = new Float64Array(2049);
  const pass = () => {
    for (let k = 0; k < segments; k++) {
      readSegment(signal, k * 2048, x);
      detrendInPlace(x, 'constant');
      for (let i = 0; i < x.length; i++) x[i] *= window[i];
      fft.transform(x, re, im);
      for (let b = 0; b < re.length; b++) sum[b] += re[b] * re[b] + im[b] * im[b];
    }
  };
  pass();
  kernel.before = await timed(pass);
  const perSegment = ((kernel.before.seconds / segments) * 1e6).toFixed(1);
  console.log(
    `${line('kernel float64 before', kernel.before, segments * 2048 * 4)}  ${perSegment} µs/segment`,
  );
}
console.log(
  `kernel ratio float64/float32 time: ${(kernel.float64.seconds / kernel.float32.seconds).toFixed(2)}×`,
);
