/**
 * A strict parser and printer for the few Python literals .npy headers contain: dicts with
 * string keys, tuples, lists, strings, ints, True, False and None. It exists so a header is
 * never evaluated as code; anything else is a syntax error with the character index.
 */

export type PyValue = string | number | boolean | null | PySequence | PyDict;

export interface PySequence {
  readonly kind: 'list' | 'tuple';
  readonly items: readonly PyValue[];
}

export interface PyDict {
  readonly kind: 'dict';
  /** Keys in source order; duplicate keys are a syntax error (Python keeps the last, we refuse). */
  readonly entries: ReadonlyMap<string, PyValue>;
}

/** A literal that does not parse; `index` is the character index in the text. */
export class PyLiteralError extends Error {
  readonly index: number;

  constructor(message: string, index: number) {
    super(message);
    this.name = 'PyLiteralError';
    this.index = index;
  }
}

/** Deeper nesting than any real header needs; stops a hostile header from exhausting the stack. */
const MAX_DEPTH = 32;

export function isPySequence(value: PyValue): value is PySequence {
  return typeof value === 'object' && value !== null && (value.kind === 'list' || value.kind === 'tuple');
}

export function isPyDict(value: PyValue): value is PyDict {
  return typeof value === 'object' && value !== null && value.kind === 'dict';
}

/** Parses one literal; only whitespace may follow it. */
export function parsePyLiteral(text: string): PyValue {
  const parser = new LiteralParser(text);
  const value = parser.value(0);
  parser.skipSpace();
  if (!parser.atEnd()) parser.fail('unexpected text after the literal');
  return value;
}

class LiteralParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  fail(message: string, index = this.pos): never {
    const found = index < this.text.length ? JSON.stringify(this.text[index]) : 'end of header';
    throw new PyLiteralError(`${message} (found ${found})`, index);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && ' \t\r\n'.includes(this.text[this.pos])) this.pos++;
  }

  value(depth: number): PyValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.dict(depth);
    if (c === '(') return this.sequence('tuple', ')', depth);
    if (c === '[') return this.sequence('list', ']', depth);
    if (c === "'" || c === '"') return this.string();
    if ((c === 'u' || c === 'U') && (this.text[this.pos + 1] === "'" || this.text[this.pos + 1] === '"')) {
      this.pos++; // Python 2 unicode prefix: same string
      return this.string();
    }
    if (c === '-' || c === '+' || (c >= '0' && c <= '9')) return this.integer();
    return this.keyword();
  }

  private dict(depth: number): PyDict {
    const entries = new Map<string, PyValue>();
    this.pos++;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') break;
      const keyAt = this.pos;
      const key = this.value(depth + 1);
      if (typeof key !== 'string') this.fail('dict keys must be strings', keyAt);
      if (entries.has(key)) this.fail(`duplicate key '${key}'`, keyAt);
      this.skipSpace();
      this.expect(':');
      entries.set(key, this.value(depth + 1));
      if (!this.separator('}')) break;
    }
    this.expect('}');
    return { kind: 'dict', entries };
  }

  private sequence(kind: 'list' | 'tuple', close: string, depth: number): PySequence {
    const items: PyValue[] = [];
    let trailingComma = false;
    this.pos++;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) break;
      items.push(this.value(depth + 1));
      trailingComma = this.separator(close);
      if (!trailingComma) break;
    }
    // `(3)` is the int 3 in Python, not a tuple; a header that means a tuple writes `(3,)`.
    if (kind === 'tuple' && items.length === 1 && !trailingComma) this.fail("a 1-tuple needs a trailing ','");
    this.expect(close);
    return { kind, items };
  }

  /** After an item: consumes ',' and returns true, or returns false when `close` follows. */
  private separator(close: string): boolean {
    this.skipSpace();
    if (this.text[this.pos] === ',') {
      this.pos++;
      return true;
    }
    if (this.text[this.pos] !== close) this.fail(`expected ',' or '${close}'`);
    return false;
  }

  private expect(char: string): void {
    this.skipSpace();
    if (this.text[this.pos] !== char) this.fail(`expected '${char}'`);
    this.pos++;
  }

  private string(): string {
    const quote = this.text[this.pos];
    const start = this.pos++;
    let out = '';
    for (;;) {
      if (this.atEnd()) this.fail('unterminated string', start);
      const c = this.text[this.pos++];
      if (c === quote) return out;
      if (c === '\n') this.fail('newline inside a string', this.pos - 1);
      out += c === '\\' ? this.escape() : c;
    }
  }

  private escape(): string {
    const c = this.text[this.pos++];
    const simple: Record<string, string> = {
      '\\': '\\',
      "'": "'",
      '"': '"',
      n: '\n',
      t: '\t',
      r: '\r',
      '0': '\0',
    };
    if (c in simple) return simple[c];
    const digits = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
    if (digits === 0) this.fail('unsupported escape', this.pos - 1);
    const hex = this.text.slice(this.pos, this.pos + digits);
    if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) this.fail('bad hex escape', this.pos);
    this.pos += digits;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) this.fail('escape beyond unicode', this.pos - digits);
    return String.fromCodePoint(code);
  }

  private integer(): number {
    const match = /^[-+]?[0-9]+/.exec(this.text.slice(this.pos, this.pos + 40));
    if (!match) this.fail('expected a value');
    const start = this.pos;
    this.pos += match[0].length;
    // Python 2 wrote longs as `10L`; numpy still reads them, so do we.
    if (this.text[this.pos] === 'L') this.pos++;
    if (/^[a-zA-Z_.]/.test(this.text[this.pos] ?? '')) this.fail('only integer numbers are allowed');
    const value = Number(match[0]);
    if (!Number.isSafeInteger(value)) this.fail('integer beyond 2^53', start);
    return value;
  }

  private keyword(): boolean | null {
    const match = /^[A-Za-z_]\w*/.exec(this.text.slice(this.pos, this.pos + 16));
    if (match && match[0] === 'True') return this.take(4, true);
    if (match && match[0] === 'False') return this.take(5, false);
    if (match && match[0] === 'None') return this.take(4, null);
    return this.fail('expected a value');
  }

  private take<T>(length: number, value: T): T {
    this.pos += length;
    return value;
  }
}

/** Python's `repr` of a literal (the form numpy writes headers in). */
export function formatPyLiteral(value: PyValue): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not a Python int literal: ${value}`);
    return String(value);
  }
  if (typeof value === 'string') return formatPyString(value);
  if (value.kind === 'dict') {
    const items = [...value.entries].map(([k, v]) => `${formatPyString(k)}: ${formatPyLiteral(v)}`);
    return `{${items.join(', ')}}`;
  }
  const items = value.items.map(formatPyLiteral);
  if (value.kind === 'list') return `[${items.join(', ')}]`;
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** Python 3 `repr(str)`: single quotes unless the text holds ' and no ". */
export function formatPyString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

export function pyTuple(...items: PyValue[]): PySequence {
  return { kind: 'tuple', items };
}

export function pyList(items: PyValue[]): PySequence {
  return { kind: 'list', items };
}
