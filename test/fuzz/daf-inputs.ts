/**
 * daf inputs, dense (`.yaml` + `.array`) and sparse CSR (`.yaml` + `.data`, `.indices`,
 * `.indptr`), with their reference from the format as sluice documents it: version [1, x],
 * little-endian row-major data of prod(shape) elements; a CSR matrix's rows delivered dense
 * (indptr starts at 0, never decreases and ends at nnz; indices within the columns). Mutations
 * edit the YAML fields, the index arrays and the bytes, cut files and remove them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { mutateBytes, writeInt } from './byte-mutations.ts';
import type { ElementType } from './elements.ts';
import { NUMPY_NAMES, readElement, viewOf } from './elements.ts';
import type { Expectation } from './expected-stats.ts';
import { ColumnExpectation } from './expected-stats.ts';
import type { FuzzInput, InputGenerator } from './fuzz-input.ts';
import { text } from './fuzz-input.ts';
import type { Rng } from './rng.ts';

type Files = Record<string, Uint8Array>;
const DTYPE_NAMES = Object.keys(NUMPY_NAMES);
const INTEGER_NAMES = DTYPE_NAMES.filter((n) => !n.startsWith('float'));
const MAX_CELLS = 1_000_000;

const refuse = (reason: string): Expectation => ({ kind: 'refuse', reason });
const unknown = (reason: string): Expectation => ({ kind: 'consistent', reason });
const typeOf = (name: string): ElementType => ({ ...NUMPY_NAMES[name], little: true });

/** The elements of a little-endian array file; undefined when it is shorter than `count`. */
function elements(
  bytes: Uint8Array | undefined,
  name: string,
  count: number,
): (number | bigint)[] | undefined {
  const t = typeOf(name);
  if (!bytes || bytes.length < count * t.size) return undefined;
  const view = viewOf(bytes);
  return Array.from({ length: count }, (_, i) => readElement(view, i * t.size, t));
}

function parseYaml(files: Files): Record<string, unknown> | Expectation {
  let doc: unknown;
  try {
    doc = parse(new TextDecoder().decode(files['m.yaml']), { logLevel: 'silent' });
  } catch {
    return refuse('YAML');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return refuse('not a mapping');
  const f = doc as Record<string, unknown>;
  if (!Array.isArray(f.version) || f.version[0] !== 1) return refuse('version');
  const shape = f.shape;
  if (!Array.isArray(shape) || shape.length < 1 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return refuse('shape');
  }
  return f;
}

function isExpectation(v: unknown): v is Expectation {
  return typeof v === 'object' && v !== null && 'kind' in v && 'reason' in v;
}

export function dafExpectation(files: Files, matrix: 'columns' | 'vector'): Expectation {
  if (!files['m.yaml']) return refuse('no .yaml');
  const f = parseYaml(files);
  if (isExpectation(f)) return f;
  const shape = f.shape as number[];
  const sparse = 'data_dtype' in f;
  for (const key of sparse ? ['data_dtype', 'indices_dtype', 'indptr_dtype'] : ['dtype']) {
    const ok = key === 'data_dtype' || key === 'dtype' ? DTYPE_NAMES : INTEGER_NAMES;
    if (typeof f[key] !== 'string' || !ok.includes(f[key] as string)) return refuse(key);
  }
  if (sparse ? shape.length !== 2 : shape.length > 2) return refuse(`${shape.length}-D`);
  const [rows, cols] = [shape[0], shape.length === 2 ? shape[1] : 1];
  if (!sparse) {
    const t = typeOf(f.dtype as string);
    const need = BigInt(rows) * BigInt(cols) * BigInt(t.size);
    const have = files['m.array']?.length;
    if (have === undefined || BigInt(have) < need) return refuse('.array shorter than the shape');
    if (BigInt(have) > need) return unknown('.array longer than the shape');
    if (cols > 4096 && matrix === 'columns') return unknown(`${cols} columns`);
    const view = viewOf(files['m.array']);
    return cells(rows, cols, matrix, shape.length === 1, (r, c) =>
      readElement(view, (r * cols + c) * t.size, t),
    );
  }
  const nnz = f.nnz;
  if (!Number.isSafeInteger(nnz) || (nnz as number) < 0) return refuse('nnz');
  const data = elements(files['m.data'], f.data_dtype as string, nnz as number);
  const indices = elements(files['m.indices'], f.indices_dtype as string, nnz as number);
  const indptr = elements(files['m.indptr'], f.indptr_dtype as string, rows + 1);
  if (!data || !indices || !indptr) return refuse('a CSR file is missing or short');
  const ptr = indptr.map(Number);
  if (ptr[0] !== 0 || ptr[rows] !== nnz || ptr.some((p, i) => i > 0 && p < ptr[i - 1]))
    return refuse('indptr');
  if (indices.some((j) => Number(j) < 0 || Number(j) >= cols)) return refuse('indices');
  const dense = new Map<number, number | bigint>();
  for (let r = 0; r < rows; r++) {
    for (let k = ptr[r]; k < ptr[r + 1]; k++) {
      const key = r * cols + Number(indices[k]);
      if (dense.has(key)) return unknown('repeated indices in a row');
      dense.set(key, data[k]);
    }
  }
  if (rows * cols > MAX_CELLS || (cols > 4096 && matrix === 'columns')) return unknown(`${rows} × ${cols}`);
  const zero =
    (f.data_dtype as string).endsWith('64') && !(f.data_dtype as string).startsWith('float') ? 0n : 0;
  return cells(rows, cols, matrix, false, (r, c) => dense.get(r * cols + c) ?? zero);
}

function cells(
  rows: number,
  cols: number,
  matrix: 'columns' | 'vector',
  oneD: boolean,
  at: (r: number, c: number) => number | bigint,
): Expectation {
  const columns: Record<string, ReturnType<ColumnExpectation['result']>> = {};
  if (oneD || matrix === 'vector') {
    const col = new ColumnExpectation();
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) col.add(at(r, c));
    columns.value = col.result();
  } else {
    for (let c = 0; c < cols; c++) {
      const col = new ColumnExpectation();
      for (let r = 0; r < rows; r++) col.add(at(r, c));
      columns[`c${c}`] = col.result();
    }
  }
  return { kind: 'values', rows, columns };
}

// --- generation ------------------------------------------------------------------------------

function yamlOf(fields: Record<string, string>): Uint8Array {
  return text(
    Object.entries(fields)
      .map(([k, v]) => `${k}: ${v}\n`)
      .join(''),
  );
}

function syntheticDense(rng: Rng): { files: Files; fields: Record<string, string> } {
  const dtype = rng.pick(DTYPE_NAMES);
  const rows = rng.pick([0, 1, 5, 100, 1000]);
  const shape = rng.bool() ? [rows] : [rows, rng.pick([0, 1, 3, 7])];
  const fields = { version: '[1, 0]', dtype, shape: `[${shape.join(', ')}]` };
  const n = shape.reduce((a, b) => a * b, 1);
  return { files: { 'm.array': rng.bytes(n * NUMPY_NAMES[dtype].size) }, fields };
}

function packed(values: number[], name: string): Uint8Array {
  const size = NUMPY_NAMES[name].size;
  const out = new Uint8Array(values.length * size);
  values.forEach((v, i) => writeInt(out, i * size, size, BigInt(v), true));
  return out;
}

function syntheticSparse(rng: Rng): { files: Files; fields: Record<string, string> } {
  const rows = rng.pick([0, 1, 4, 12, 50]);
  const cols = rng.pick([1, 3, 5, 20]);
  const indices: number[] = [];
  const indptr = [0];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) if (rng.bool(0.3)) indices.push(c);
    indptr.push(indices.length);
  }
  const fit = (max: number) =>
    INTEGER_NAMES.filter((n) => 2 ** (8 * NUMPY_NAMES[n].size - (n.startsWith('u') ? 0 : 1)) > max);
  const dataDtype = rng.pick(DTYPE_NAMES);
  const indicesDtype = rng.pick(fit(cols));
  const indptrDtype = rng.pick(fit(indices.length));
  const fields = {
    version: '[1, 0]',
    data_dtype: dataDtype,
    indices_dtype: indicesDtype,
    indptr_dtype: indptrDtype,
    shape: `[${rows}, ${cols}]`,
    nnz: String(indices.length),
  };
  const files = {
    'm.data': rng.bytes(indices.length * NUMPY_NAMES[dataDtype].size),
    'm.indices': packed(indices, indicesDtype),
    'm.indptr': packed(indptr, indptrDtype),
  };
  return { files, fields };
}

const FIELD_EDITS: Record<string, string[]> = {
  version: ['[2, 0]', '[1]', '1', '[]', '"x"'],
  dtype: ['float16', 'bool', 'complex64', 'Float64', '""', '[int8]', 'int128'],
  data_dtype: ['float16', 'bool', 'string'],
  indices_dtype: ['float32', 'float64', 'int128', 'uint8'],
  indptr_dtype: ['float64', 'int8', 'uint8', 'uint64'],
  shape: [
    '[12, 100000000]',
    '[4294967296, 4294967296]',
    '[3037000500, 3037000500]',
    '[1, 50000000]',
    '[-1]',
    '[]',
    '[1.5]',
    '["a"]',
    '[9007199254740993]',
    '[2, 3, 4]',
    '5',
    '[0, 0]',
  ],
  nnz: ['-1', '0', '1', '9007199254740992', '1e300', '"3"', '4294967295'],
};

function yamlEdit(rng: Rng, fields: Record<string, string>): { yaml: Uint8Array; what: string } {
  const f = { ...fields };
  const kind = rng.weighted([
    [6, 'field'],
    [1, 'drop'],
    [1, 'junk'],
    [1, 'alias'],
    [1, 'near'],
  ] as const);
  let what: string = kind;
  if (kind === 'field' || kind === 'near') {
    const key = rng.pick(Object.keys(f));
    if (kind === 'near' && (key === 'shape' || key === 'nnz')) {
      const nums = f[key].match(/\d+/g) ?? ['0'];
      const i = rng.int(nums.length);
      f[key] =
        key === 'nnz'
          ? String(Number(nums[0]) + rng.pick([-1, 1, 1000]))
          : `[${nums.map((n, j) => (j === i ? Number(n) + rng.pick([-1, 1, 7]) : n)).join(', ')}]`;
    } else f[key] = rng.pick(FIELD_EDITS[key] ?? ['x']);
    what = `${key}: ${f[key]}`;
  }
  if (kind === 'drop') delete f[rng.pick(Object.keys(f))];
  let yaml = Object.entries(f)
    .map(([k, v]) => `${k}: ${v}\n`)
    .join('');
  if (kind === 'junk')
    yaml = rng.pick([`${yaml}: :\n`, yaml.slice(0, rng.int(yaml.length)), `${yaml}\t- x\n`, '[', '']);
  if (kind === 'alias') {
    yaml = `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n${yaml}`;
  }
  return { yaml: text(yaml), what };
}

function csrEdit(rng: Rng, files: Files, fields: Record<string, string>): string {
  const file = rng.pick(['m.indptr', 'm.indices']);
  const name = fields[file === 'm.indptr' ? 'indptr_dtype' : 'indices_dtype'];
  const size = NUMPY_NAMES[name]?.size ?? 8;
  const bytes = Uint8Array.from(files[file] ?? []);
  if (bytes.length < size) return 'csr edit skipped';
  const i = rng.int(Math.floor(bytes.length / size));
  const value = rng.pick([
    -1n,
    4294967295n,
    2n ** 31n,
    2n ** 53n,
    255n,
    65535n,
    BigInt(Number(fields.nnz) + 1),
    0n,
    5n,
  ]);
  writeInt(bytes, i * size, size, value, true);
  files[file] = bytes;
  return `${file}[${i}]=${value}`;
}

function dafGenerator(kind: 'dense' | 'sparse'): () => InputGenerator {
  return () => {
    const bases = (
      kind === 'sparse'
        ? [
            'test/fixtures/writers/csr',
            'test/fixtures/reliability/001608',
            'test/fixtures/reliability/csr-dup-i16',
            'test/fixtures/reliability/csr-dup-i64',
          ]
        : []
    )
      .filter((b) => existsSync(`${b}.yaml`))
      .map((b) => {
        const fields = Object.fromEntries(
          readFileSync(`${b}.yaml`, 'utf8')
            .trim()
            .split('\n')
            .map((line) => line.split(/:\s*/, 2) as [string, string]),
        );
        const files: Files = {};
        for (const ext of ['data', 'indices', 'indptr'])
          files[`m.${ext}`] = new Uint8Array(readFileSync(`${b}.${ext}`));
        return { name: b, fields, files };
      });
    return (rng, index): FuzzInput => {
      const pickBase = bases.length > 0 && rng.bool(0.3);
      const b = pickBase
        ? rng.pick(bases)
        : { name: 'synthetic', ...(kind === 'dense' ? syntheticDense(rng) : syntheticSparse(rng)) };
      const files: Files = { ...b.files, 'm.yaml': yamlOf(b.fields) };
      const what: string[] = [];
      const edit = rng.weighted([
        [3, 'yaml'],
        [kind === 'sparse' ? 3 : 0, 'csr'],
        [3, 'bytes'],
        [1, 'remove'],
        [2, 'none'],
      ] as const);
      if (edit === 'yaml') {
        const e = yamlEdit(rng, b.fields);
        files['m.yaml'] = e.yaml;
        what.push(e.what);
      } else if (edit === 'csr') what.push(csrEdit(rng, files, b.fields));
      else if (edit === 'bytes') {
        const file = rng.pick(Object.keys(files));
        const m = mutateBytes(rng, files[file], 0, 2);
        files[file] = m.bytes;
        what.push(`${file} ${m.what}`);
      } else if (edit === 'remove') {
        const file = rng.pick(Object.keys(files));
        delete files[file];
        what.push(`removed ${file}`);
      }
      const matrix = rng.bool(0.3) ? 'vector' : 'columns';
      return {
        format: kind === 'dense' ? 'daf-dense' : 'daf-sparse',
        index,
        base: b.name,
        mutation: `${what.join(' ') || 'as is'} matrix=${matrix}`,
        files,
        read: { file: 'm.yaml', source: { type: 'daf', matrix, chunkRows: rng.pick([1, 3, 7, 1000]) } },
        expect: dafExpectation(files, matrix),
      };
    };
  };
}

export const dafGenerators = { 'daf-dense': dafGenerator('dense'), 'daf-sparse': dafGenerator('sparse') };
