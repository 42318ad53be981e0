/**
 * Spec inputs: the pipelines/*.yaml and small specs over every source and sink
 * (test/fixtures/fuzz/specs), mutated as text (bytes, lines), as YAML (values set to huge,
 * negative, empty or wrongly typed ones, keys removed or invented, stage types swapped) and with
 * the known attacks (alias bombs, undefined aliases, deep nesting, tens of thousands of keys,
 * hostile --set paths and values). Each runs confined to its own directory (--root), where the
 * files the specs name are copied; it must give a typed error or run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Node } from 'yaml';
import { mutateBytes } from './byte-mutations.ts';
import type { FuzzInput, InputGenerator } from './fuzz-input.ts';
import { text } from './fuzz-input.ts';
import type { Rng } from './rng.ts';

/** The data the specs read, by the path they name it with (relative to the input's directory). */
const DATA: Record<string, string> = {
  'data/sample/signal.npy': 'test/fixtures/npy/spectral-f64.npy',
  'data/sample/run.epos': 'test/fixtures/epos/ions.epos',
  'in/c2d.npy': 'test/fixtures/npy/c2d-f8.npy',
  'in/i2.raw': 'test/fixtures/raw/i2-be-3ch.raw',
  'in/ions.pos': 'test/fixtures/pos/ions.pos',
  'in/bases.h5': 'test/fixtures/fuzz/bases.h5',
  'in/signal.npy': 'test/fixtures/npy/spectral-short.npy',
  'in/csr.yaml': 'test/fixtures/writers/csr.yaml',
  'in/csr.data': 'test/fixtures/writers/csr.data',
  'in/csr.indices': 'test/fixtures/writers/csr.indices',
  'in/csr.indptr': 'test/fixtures/writers/csr.indptr',
  'in/ions.apt': 'test/fixtures/apt/ions.apt',
};

const EDGE_VALUES = [
  '1000000000',
  '2147483648',
  '4294967296',
  '9007199254740993',
  '1e308',
  '-1',
  '0',
  '0.5',
  '.nan',
  '.inf',
  '-.inf',
  "''",
  'null',
  '[]',
  '{}',
  'true',
  '"x"',
  `'${'x'.repeat(5000)}'`,
  '../escape.json',
  "'../escape/{stem}.json'",
  'link/escape.json',
  '/tmp/sluice-fuzz-escape.json',
  "'${UNDEFINED_VAR}'",
  "'${HOME}'",
  "'{stem}'",
  '[1, 2, 3]',
  '[[0, 1], [2, 3]]',
  '*nope',
  '!!binary AAAA',
];
const STAGE_TYPES = [
  'npy',
  'raw',
  'epos',
  'pos',
  'apt',
  'hdf5',
  'daf',
  'stats',
  'histogram',
  'histogram2d',
  'welch',
  'psd',
  'fft',
  'segment',
  'spectrogram',
  'spectrum-average',
  'quantiles',
  'plot',
  'filter',
  'derive',
  'select',
  'parquet',
  'csv',
  'statz',
  '',
];
const JUNK_LINES = [
  'x: [',
  '  - *nope',
  '<<: *a',
  '? complex',
  '%YAML 1.1',
  '---',
  '...',
  '\t- tab',
  'sinks:',
  '  bogus: 1',
  'source: *s',
  '&a a: 1',
  '"unterminated',
  "key: 'it''s'",
  '- - - -',
];
const SETS: Record<string, string>[] = [
  { 'a.b.c': '[1' },
  { 'sinks[999999999].x': '1' },
  { 'source.path.x': '1' },
  { [`${'['.repeat(2000)}`]: '1' },
  { 'source.chunkRows': '-1' },
  { 'source.chunkRows': '1' },
  { 'sinks[0].nperseg': '1000000000' },
  { 'sinks[0].bins': '1000000000' },
  { 'steps[0]': '{type: fft, nfft: 1000000000}' },
  { sinks: '[]' },
  { source: 'null' },
  { '': 'x' },
  { 'sinks[0].out': '../escape.json' },
  { 'sinks.0.out': '/tmp/sluice-fuzz-escape.json' },
  { 'sinks[0].out': 'link/escape.json' },
  { 'source.path': 'link/input/in/c2d.npy' },
  { 'source.path': '/dev/zero' },
  { 'source.path': 'data/sample' },
  { 'source.path': 'in/*.npy' },
  { 'source.startRow': '9007199254740993' },
  { 'source.endRow': '1' },
  { 'sinks[1].range': '[1, 0]' },
  { x: `${'[ '.repeat(3000)}` },
];

const BOMB = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
`;

function loadBases(): { name: string; text: string }[] {
  const dirs = ['pipelines', 'test/fixtures/fuzz/specs'];
  return dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((n) => n.endsWith('.yaml'))
      .sort()
      .map((n) => ({ name: join(dir, n), text: readFileSync(join(dir, n), 'utf8') })),
  );
}

function lineEdit(rng: Rng, source: string): { text: string; what: string } {
  const lines = source.split('\n');
  const i = rng.int(lines.length);
  const kind = rng.pick(['delete', 'duplicate', 'swap', 'indent', 'dedent', 'junk'] as const);
  if (kind === 'delete') lines.splice(i, 1);
  if (kind === 'duplicate') lines.splice(i, 0, lines[i]);
  if (kind === 'swap') {
    const j = rng.int(lines.length);
    [lines[i], lines[j]] = [lines[j], lines[i]];
  }
  if (kind === 'indent') lines[i] = ' '.repeat(rng.between(1, 3)) + lines[i];
  if (kind === 'dedent') lines[i] = lines[i].replace(/^ {1,2}/, '');
  if (kind === 'junk') lines.splice(i, 0, rng.pick(JUNK_LINES));
  return { text: lines.join('\n'), what: `line ${kind}@${i + 1}` };
}

/** Sets a random value of the parsed spec to an edge value, removes or invents a key, or swaps a stage type. */
function valueEdit(rng: Rng, source: string): { text: string; what: string } | undefined {
  const doc = parseDocument(source, { logLevel: 'silent' });
  if (doc.errors.length > 0) return undefined;
  const scalars: { parent: Node; key: unknown; value: unknown }[] = [];
  visit(doc, {
    Pair(_, pair, path) {
      const parent = path[path.length - 1] as Node;
      if (isScalar(pair.value))
        scalars.push({
          parent,
          key: isScalar(pair.key) ? pair.key.value : pair.key,
          value: pair.value.value,
        });
    },
  });
  if (scalars.length === 0) return undefined;
  const s = rng.pick(scalars);
  if (!isMap(s.parent)) return undefined;
  const kind = rng.weighted([
    [6, 'value'],
    [2, 'type'],
    [1, 'remove'],
    [1, 'invent'],
    [1, 'seq'],
  ] as const);
  let what: string = kind;
  if (kind === 'value') {
    const edge = rng.pick(EDGE_VALUES);
    s.parent.set(s.key, parseDocument(edge, { logLevel: 'silent' }).contents ?? edge);
    what = `${String(s.key)}: ${edge.slice(0, 40)}`;
  } else if (kind === 'type') {
    const type = rng.pick(STAGE_TYPES);
    const maps: Node[] = [];
    visit(doc, {
      Map(_, map) {
        if (map.has('type')) maps.push(map);
      },
    });
    const target = maps.length ? rng.pick(maps) : s.parent;
    if (isMap(target)) target.set('type', type);
    what = `type: ${type}`;
  } else if (kind === 'remove') {
    s.parent.delete(s.key);
    what = `removed ${String(s.key)}`;
  } else if (kind === 'invent') {
    s.parent.set(
      rng.pick(['bogus', 'chunkrows', 'Path', 'sink', 'nperseg', 'out']),
      rng.pick(['1', 'x', '[]']),
    );
    what = 'invented a key';
  } else {
    visit(doc, {
      Seq(_, seq) {
        if (isSeq(seq) && seq.items.length > 1 && rng.bool(0.5)) seq.items.reverse();
      },
    });
    what = 'reversed lists';
  }
  try {
    return { text: doc.toString({ lineWidth: 0 }), what };
  } catch {
    return undefined; // an alias to nothing cannot be written back: a line edit instead
  }
}

/** A spectral size (nperseg, nfft, chunkSize, segment length, bins) set to one far too large, or odd. */
function spectralEdit(rng: Rng, source: string): { text: string; what: string } | undefined {
  const keys = [...source.matchAll(/\b(nperseg|noverlap|nfft|chunkSize|length|bins): (\d+)/g)];
  if (keys.length === 0) return undefined;
  const m = rng.pick(keys);
  // Mid-size values (10,000,001) only where sluice must refuse or shrink them: 10 M histogram bins
  // are a legitimate request that takes seconds and a GB to write and plot.
  const sizes =
    m[1] === 'bins' ? ['1000000000', '2147483648', '0', '1'] : ['10000001', '16777217', '33554433'];
  const value = rng.pick([...sizes, '1000000000', '2147483648', '0', '1', '3']);
  const at = m.index ?? 0;
  return {
    text: source.slice(0, at) + `${m[1]}: ${value}` + source.slice(at + m[0].length),
    what: `${m[1]}: ${value}`,
  };
}

function attack(rng: Rng, source: string): { text: string; what: string } {
  const kind = rng.pick([
    'bomb',
    'undefined alias',
    'self alias',
    'nesting',
    'keys',
    'merge',
    'anchors',
  ] as const);
  const texts: Record<typeof kind, () => string> = {
    bomb: () => `${BOMB}${source}`,
    'undefined alias': () => source.replace(/\nsinks:/, '\nz: *nope\nsinks:'),
    'self alias': () => `a: &a [1, *a]\n${source}`,
    nesting: () => `${source}\nx: ${'['.repeat(rng.pick([200, 2000, 20000]))}`,
    keys: () =>
      `${source}\n${Array.from({ length: rng.pick([100, 5000, 50000]) }, (_, i) => `k${i}: ${i}`).join('\n')}\n`,
    merge: () =>
      source
        .replace(/^source:/m, 'base: &base { chunkRows: 5 }\nsource:\n  <<: *base\n  ')
        .replace(/source:\n {2}<<: \*base\n {2} /, 'source:\n  <<: *base\n  '),
    anchors: () => source.replace(/type: (\w+)/, 'type: &t $1').replace(/\n$/, '\nagain: *t\n'),
  };
  return { text: texts[kind](), what: `attack: ${kind}` };
}

export function specGenerator(): InputGenerator {
  const bases = loadBases();
  const data = Object.fromEntries(
    Object.entries(DATA).map(([to, from]) => [to, new Uint8Array(readFileSync(from))]),
  );
  return (rng, index): FuzzInput => {
    const base = rng.pick(bases);
    const strategy = rng.weighted([
      [3, 'bytes'],
      [3, 'lines'],
      [5, 'values'],
      [2, 'attack'],
      [2, 'spectral'],
      [1, 'none'],
    ] as const);
    let edited: { text: string; what: string } | undefined = { text: base.text, what: 'as is' };
    if (strategy === 'bytes') {
      const m = mutateBytes(rng, text(base.text), 0, 3);
      edited = { text: new TextDecoder().decode(m.bytes), what: m.what };
    } else if (strategy === 'lines') edited = lineEdit(rng, base.text);
    else if (strategy === 'values') edited = valueEdit(rng, base.text) ?? lineEdit(rng, base.text);
    else if (strategy === 'attack') edited = attack(rng, base.text);
    else if (strategy === 'spectral') edited = spectralEdit(rng, base.text) ?? lineEdit(rng, base.text);
    const set = rng.bool(0.15) ? rng.pick(SETS) : undefined;
    const env: Record<string, string> = rng.bool(0.2)
      ? {
          INPUT: rng.pick([
            'in/c2d.npy',
            'nope.npy',
            '../x.npy',
            '/dev/zero',
            'data/sample',
            'in/*.npy',
            '${INPUT}',
            'in/ions.pos',
          ]),
        }
      : {};
    const file = basename(base.name);
    return {
      format: 'spec',
      index,
      base: base.name,
      mutation: `${edited.what}${set ? ` --set ${JSON.stringify(set).slice(0, 80)}` : ''}${env.INPUT ? ` INPUT=${env.INPUT}` : ''}`,
      files: { ...data, [file]: text(edited.text) },
      // `link` leads out of the input's directory (its --root): a path through it must be refused.
      links: { link: '..' },
      spec: { file, env, set },
      expect: { kind: 'consistent', reason: 'a spec: typed error or a run' },
    };
  };
}
