import { closeSync, existsSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatNpyHeader } from '../src/formats/npy/header.ts';

export const BENCH_DIR = tmpdir();

/** A float32 NPY of `bytes` data bytes with a sine, a trend and cheap noise. */
export function writeFloat32Npy(path: string, bytes: number): void {
  const samples = Math.floor(bytes / 4);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, formatNpyHeader({ descr: '<f4', fortranOrder: false, shape: [samples] }));
    const chunk = new Float32Array(1 << 22);
    let seed = 12345;
    for (let start = 0; start < samples; start += chunk.length) {
      const n = Math.min(chunk.length, samples - start);
      for (let i = 0; i < n; i++) {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        chunk[i] = Math.sin((start + i) * 0.01) + (start + i) * 1e-9 + (seed / 4294967296 - 0.5) * 0.1;
      }
      writeSync(fd, new Uint8Array(chunk.buffer, 0, n * 4));
    }
  } finally {
    closeSync(fd);
  }
}

/** A sparse float32 NPY (zeros) of `bytes` data bytes: instant, takes no disk. */
export function writeSparseNpy(path: string, bytes: number): void {
  const samples = Math.floor(bytes / 4);
  const fd = openSync(path, 'w');
  try {
    const header = formatNpyHeader({ descr: '<f4', fortranOrder: false, shape: [samples] });
    writeSync(fd, header);
    ftruncateSync(fd, header.length + samples * 4);
  } finally {
    closeSync(fd);
  }
}

/** A small file with an odd row count, to warm kernels' tail loops before measuring. */
export async function writeOddLengthWarmup(): Promise<string> {
  const path = join(BENCH_DIR, 'sluice-bench-warmup.npy');
  if (!existsSync(path)) writeFloat32Npy(path, 4 * 1_048_583);
  return path;
}
