/**
 * Arithmetic expressions over columns for `derive`: parsed once with jsep into an AST, checked
 * (only numbers, column references, + - * / **, unary minus and plus, parentheses), then
 * evaluated column-wise: each operator is one loop over Float64Arrays, never eval or Function.
 * Column names that are not identifiers are written in backticks (`m/n (Da)`) or given an
 * alias in `columns:`.
 */
import jsep from 'jsep';
import type { Expression } from 'jsep';
import type { TypedArray } from '../core/dtype.ts';

export type Node =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'column'; readonly name: string }
  | { readonly kind: 'negate'; readonly arg: Node }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Node; readonly right: Node };

export type BinaryOp = '+' | '-' | '*' | '/' | '**';
const BINARY_OPS = new Set<string>(['+', '-', '*', '/', '**']);

/** A parse or check failure: what and where, for a params issue. */
export class ExpressionError extends Error {}

const BACKTICKED = /`([^`]*)`/g;

/**
 * Parses `text` into a Node tree. Identifiers resolve through `aliases` first, then stand for
 * the column of that name; backticked names are columns verbatim.
 */
export function parseExpression(text: string, aliases: Readonly<Record<string, string>> = {}): Node {
  const quoted: string[] = [];
  // Each backticked name becomes a placeholder identifier jsep can read.
  const replaced = text.replace(BACKTICKED, (_, name: string) => {
    if (name === '') throw new ExpressionError('empty column name in backticks');
    quoted.push(name);
    return ` __sluice_q${quoted.length - 1} `;
  });
  if (replaced.includes('`')) throw new ExpressionError('unmatched backtick');
  let ast: Expression;
  try {
    ast = jsep(replaced);
  } catch (error) {
    throw new ExpressionError(error instanceof Error ? error.message : String(error));
  }
  const toNode = (e: Expression): Node => {
    switch (e.type) {
      case 'Literal':
        if (typeof e.value !== 'number')
          throw new ExpressionError(`only numbers are allowed, not ${String(e.raw)}`);
        return { kind: 'number', value: e.value };
      case 'Identifier': {
        const name = String(e.name);
        const q = /^__sluice_q(\d+)$/.exec(name);
        if (q) return { kind: 'column', name: quoted[Number(q[1])] };
        return { kind: 'column', name: aliases[name] ?? name };
      }
      case 'UnaryExpression': {
        const arg = toNode(e.argument as Expression);
        if (e.operator === '-') return { kind: 'negate', arg };
        if (e.operator === '+') return arg;
        throw new ExpressionError(
          `operator '${String(e.operator)}' is not allowed (use + - * / ** and parentheses)`,
        );
      }
      case 'BinaryExpression': {
        const op = String(e.operator);
        if (!BINARY_OPS.has(op))
          throw new ExpressionError(`operator '${op}' is not allowed (use + - * / ** and parentheses)`);
        const left = e.left as Expression;
        if (op === '**' && left.type === 'UnaryExpression') {
          // jsep reads -x ** 2 as (-x) ** 2, Python as -(x ** 2): refuse rather than guess.
          throw new ExpressionError('-x ** y is ambiguous: write -(x ** y), or (0 - x) ** y');
        }
        return {
          kind: 'binary',
          op: op as BinaryOp,
          left: toNode(left),
          right: toNode(e.right as Expression),
        };
      }
      default:
        throw new ExpressionError(
          `${e.type.replace(/Expression$/, '').toLowerCase() || 'this'} is not allowed: only numbers, columns, + - * / ** and parentheses`,
        );
    }
  };
  return toNode(ast);
}

/** Every column the expression reads, once each, in first-use order. */
export function columnsOfExpression(node: Node, out: string[] = []): string[] {
  if (node.kind === 'column' && !out.includes(node.name)) out.push(node.name);
  else if (node.kind === 'negate') columnsOfExpression(node.arg, out);
  else if (node.kind === 'binary') {
    columnsOfExpression(node.left, out);
    columnsOfExpression(node.right, out);
  }
  return out;
}

/** A column's values as float64: the array itself when it is one (read only), else a copy. */
export function toFloat64(data: TypedArray): Float64Array {
  if (data instanceof Float64Array) return data;
  const out = new Float64Array(data.length);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  } else out.set(data);
  return out;
}

type Value = Float64Array | number;

/**
 * The expression over `length` values: every column is read through `column` (float64), every
 * operator is one loop. The result is a new array, never one of the inputs.
 */
export function evaluate(node: Node, length: number, column: (name: string) => Float64Array): Float64Array {
  const result = evalNode(node, length, column);
  if (typeof result === 'number') return new Float64Array(length).fill(result);
  // A bare column reference would alias the input: copy it.
  return node.kind === 'column' ? Float64Array.from(result) : result;
}

function evalNode(node: Node, length: number, column: (name: string) => Float64Array): Value {
  switch (node.kind) {
    case 'number':
      return node.value;
    case 'column':
      return column(node.name);
    case 'negate': {
      const a = evalNode(node.arg, length, column);
      if (typeof a === 'number') return -a;
      const out = node.arg.kind === 'column' ? new Float64Array(length) : a;
      for (let i = 0; i < length; i++) out[i] = -a[i];
      return out;
    }
    case 'binary': {
      const a = evalNode(node.left, length, column);
      const b = evalNode(node.right, length, column);
      if (typeof a === 'number' && typeof b === 'number') return applyScalar(node.op, a, b);
      // Reuse a temporary (never a column array) as the output.
      const out =
        typeof a !== 'number' && node.left.kind !== 'column'
          ? a
          : typeof b !== 'number' && node.right.kind !== 'column'
            ? b
            : new Float64Array(length);
      applyArrays(node.op, a, b, out, length);
      return out;
    }
  }
}

function applyScalar(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '**':
      return a ** b;
  }
}

/** out = a op b, either side a scalar or an array; one tight loop per operator and shape. */
function applyArrays(op: BinaryOp, a: Value, b: Value, out: Float64Array, n: number): void {
  if (typeof a === 'number') {
    const x = a;
    const B = b as Float64Array;
    if (op === '+') for (let i = 0; i < n; i++) out[i] = x + B[i];
    else if (op === '-') for (let i = 0; i < n; i++) out[i] = x - B[i];
    else if (op === '*') for (let i = 0; i < n; i++) out[i] = x * B[i];
    else if (op === '/') for (let i = 0; i < n; i++) out[i] = x / B[i];
    else for (let i = 0; i < n; i++) out[i] = x ** B[i];
    return;
  }
  if (typeof b === 'number') {
    const y = b;
    const A = a;
    if (op === '+') for (let i = 0; i < n; i++) out[i] = A[i] + y;
    else if (op === '-') for (let i = 0; i < n; i++) out[i] = A[i] - y;
    else if (op === '*') for (let i = 0; i < n; i++) out[i] = A[i] * y;
    else if (op === '/') for (let i = 0; i < n; i++) out[i] = A[i] / y;
    else if (y === 2) for (let i = 0; i < n; i++) out[i] = A[i] * A[i];
    else for (let i = 0; i < n; i++) out[i] = A[i] ** y;
    return;
  }
  const A = a;
  const B = b;
  if (op === '+') for (let i = 0; i < n; i++) out[i] = A[i] + B[i];
  else if (op === '-') for (let i = 0; i < n; i++) out[i] = A[i] - B[i];
  else if (op === '*') for (let i = 0; i < n; i++) out[i] = A[i] * B[i];
  else if (op === '/') for (let i = 0; i < n; i++) out[i] = A[i] / B[i];
  else for (let i = 0; i < n; i++) out[i] = A[i] ** B[i];
}
