/**
 * Window functions as scipy.signal.get_window makes them (scipy/signal/windows/_windows.py):
 * the same formulas and the same periodic/symmetric rule (`fftbins=True`, the default, is the
 * periodic form: a symmetric window of length M + 1 with its last sample dropped). Shared by
 * the `window` transform and the spectral sinks.
 */
import { z } from 'zod';
import { SluiceError } from '../core/errors.ts';

export const WINDOW_NAMES = [
  'boxcar',
  'hann',
  'hamming',
  'blackman',
  'blackmanharris',
  'nuttall',
  'flattop',
  'bartlett',
  'triang',
  'cosine',
  'tukey',
  'kaiser',
  'gaussian',
] as const;
export type WindowName = (typeof WINDOW_NAMES)[number];

/** A window by name, with the shape parameter the tukey, kaiser and gaussian windows take. */
export interface WindowSpec {
  readonly name: WindowName;
  /** tukey: fraction of the window inside the cosine taper (scipy's default 0.5). */
  readonly alpha?: number;
  /** kaiser: shape parameter (required, as in scipy.signal.get_window). */
  readonly beta?: number;
  /** gaussian: standard deviation in samples (required). */
  readonly std?: number;
}

/** The zod schema of a window given as a name or as `{ name: tukey, alpha: 0.3 }`. */
export const windowParam = z.union([
  z.enum(WINDOW_NAMES),
  z
    .object({
      name: z.enum(WINDOW_NAMES).describe('The window, as scipy.signal.get_window names it.'),
      alpha: z.number().optional().describe('tukey: taper fraction (default 0.5).'),
      beta: z.number().optional().describe('kaiser: shape parameter (required for kaiser).'),
      std: z.number().positive().optional().describe('gaussian: standard deviation in samples (required).'),
    })
    .strict(),
]);
export type WindowParam = z.output<typeof windowParam>;

export function toWindowSpec(param: WindowParam): WindowSpec {
  const spec = typeof param === 'string' ? { name: param } : param;
  if (spec.name === 'kaiser' && spec.beta === undefined)
    throw needs('kaiser', 'beta', '{ name: kaiser, beta: 14 }');
  if (spec.name === 'gaussian' && spec.std === undefined)
    throw needs('gaussian', 'std', '{ name: gaussian, std: 7 }');
  return spec;
}

function needs(name: string, field: string, example: string): SluiceError {
  return new SluiceError('PARAMS_INVALID', `the ${name} window needs ${field}`, {
    hint: `write the window as ${example}, as scipy.signal.get_window(('${name}', …), n) does`,
  });
}

/** A readable label: `hann`, `tukey(alpha=0.25)`. */
export function windowLabel(spec: WindowSpec): string {
  const shape =
    spec.name === 'tukey'
      ? `alpha=${spec.alpha ?? 0.5}`
      : spec.name === 'kaiser'
        ? `beta=${spec.beta}`
        : spec.name === 'gaussian'
          ? `std=${spec.std}`
          : '';
  return shape ? `${spec.name}(${shape})` : spec.name;
}

/** The window's M samples; `sym` false (default) is scipy's periodic `fftbins=True` form. */
export function makeWindow(spec: WindowSpec, m: number, sym = false): Float64Array {
  if (!Number.isSafeInteger(m) || m < 0) throw new RangeError(`window length ${m}`);
  if (m <= 1) return new Float64Array(m).fill(1);
  const length = sym ? m : m + 1;
  const w = symmetricWindow(spec, length);
  return sym ? w : w.subarray(0, m).slice();
}

function symmetricWindow(spec: WindowSpec, m: number): Float64Array {
  switch (spec.name) {
    case 'boxcar':
      return new Float64Array(m).fill(1);
    case 'hann':
      return generalCosine(m, [0.5, 0.5]);
    case 'hamming':
      return generalCosine(m, [0.54, 0.46]);
    case 'blackman':
      return generalCosine(m, [0.42, 0.5, 0.08]);
    case 'blackmanharris':
      return generalCosine(m, [0.35875, 0.48829, 0.14128, 0.01168]);
    case 'nuttall':
      return generalCosine(m, [0.3635819, 0.4891775, 0.1365995, 0.0106411]);
    case 'flattop':
      return generalCosine(m, [0.21557895, 0.41663158, 0.277263158, 0.083578947, 0.006947368]);
    case 'bartlett':
      return bartlett(m);
    case 'triang':
      return triang(m);
    case 'cosine':
      return Float64Array.from({ length: m }, (_, n) => Math.sin((Math.PI / m) * (n + 0.5)));
    case 'tukey':
      return tukey(m, spec.alpha ?? 0.5);
    case 'kaiser':
      return kaiser(m, spec.beta ?? 0);
    case 'gaussian':
      return gaussian(m, spec.std ?? 1);
  }
}

/** Σ a_k cos(k·x) over x = linspace(-π, π, m), as scipy's general_cosine. */
function generalCosine(m: number, a: readonly number[]): Float64Array {
  const w = new Float64Array(m);
  const step = (2 * Math.PI) / (m - 1);
  for (let n = 0; n < m; n++) {
    const x = n === m - 1 ? Math.PI : -Math.PI + n * step;
    let sum = 0;
    for (let k = 0; k < a.length; k++) sum += a[k] * Math.cos(k * x);
    w[n] = sum;
  }
  return w;
}

function bartlett(m: number): Float64Array {
  const w = new Float64Array(m);
  for (let n = 0; n < m; n++) w[n] = n <= (m - 1) / 2 ? (2 * n) / (m - 1) : 2 - (2 * n) / (m - 1);
  return w;
}

function triang(m: number): Float64Array {
  const w = new Float64Array(m);
  const half = Math.floor((m + 1) / 2);
  for (let i = 0; i < half; i++) {
    const n = i + 1;
    const v = m % 2 === 0 ? (2 * n - 1) / m : (2 * n) / (m + 1);
    w[i] = v;
    w[m - 1 - i] = v;
  }
  return w;
}

function tukey(m: number, alpha: number): Float64Array {
  if (alpha <= 0) return new Float64Array(m).fill(1);
  if (alpha >= 1) return generalCosine(m, [0.5, 0.5]);
  const w = new Float64Array(m).fill(1);
  const width = Math.floor((alpha * (m - 1)) / 2);
  for (let n = 0; n <= width; n++) w[n] = 0.5 * (1 + Math.cos(Math.PI * (-1 + (2 * n) / alpha / (m - 1))));
  for (let n = m - width - 1; n < m; n++)
    w[n] = 0.5 * (1 + Math.cos(Math.PI * (-2 / alpha + 1 + (2 * n) / alpha / (m - 1))));
  return w;
}

function kaiser(m: number, beta: number): Float64Array {
  const w = new Float64Array(m);
  const alpha = (m - 1) / 2;
  const denominator = besselI0(beta);
  for (let n = 0; n < m; n++) {
    const r = (n - alpha) / alpha;
    w[n] = besselI0(beta * Math.sqrt(1 - r * r)) / denominator;
  }
  return w;
}

function gaussian(m: number, std: number): Float64Array {
  const w = new Float64Array(m);
  const sig2 = 2 * std * std;
  for (let n = 0; n < m; n++) {
    const x = n - (m - 1) / 2;
    w[n] = Math.exp(-(x * x) / sig2);
  }
  return w;
}

/**
 * The modified Bessel function I0 by its power series Σ ((x/2)^k / k!)²: every term is
 * positive, so the sum is accurate to a few ulp for any |x| a window uses.
 */
export function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 1000; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Σw and Σw², the window's coherent gain and power, as scipy's scaling uses them. */
export function windowSums(w: Float64Array): { sum: number; sumSquares: number } {
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < w.length; i++) {
    sum += w[i];
    sumSquares += w[i] * w[i];
  }
  return { sum, sumSquares };
}
