/**
 * A strict reader of the Python literals an .npy header holds (the dict numpy writes with
 * repr): strings, integers, True/False/None, tuples, lists and dicts. What it does not know
 * (floats, hex, string prefixes other than u, comments, concatenated strings) makes it return
 * undefined: the reference then makes no claim about the file.
 */
export type Py =
  | string
  | bigint
  | boolean
  | null
  | { readonly tuple: readonly Py[] }
  | { readonly list: readonly Py[] }
  | { readonly dict: readonly (readonly [Py, Py])[] };

class Unsupported extends Error {}

export function parsePyLiteral(text: string): Py | undefined {
  let i = 0;
  const fail = (): never => {
    throw new Unsupported();
  };
  const skip = () => {
    while (i < text.length && ' \t\n\r\f'.includes(text[i])) i++;
  };
  const readString = (quote: string): string => {
    i++;
    let out = '';
    while (i < text.length && text[i] !== quote) {
      const c = text[i++];
      if (c === '\n') fail();
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = text[i++];
      const simple: Record<string, string> = {
        '\\': '\\',
        "'": "'",
        '"': '"',
        n: '\n',
        t: '\t',
        r: '\r',
        '0': '\0',
      };
      if (e in simple) out += simple[e];
      else fail();
    }
    if (text[i] !== quote) fail();
    i++;
    return out;
  };
  const readSequence = (close: string): Py[] => {
    const items: Py[] = [];
    i++;
    for (;;) {
      skip();
      if (text[i] === close) break;
      items.push(value());
      skip();
      if (text[i] === ',') i++;
      else if (text[i] !== close) fail();
    }
    i++;
    return items;
  };
  const value = (): Py => {
    skip();
    const c = text[i];
    if (c === undefined) fail();
    if (c === "'" || c === '"') return readString(c);
    if ((c === 'u' || c === 'U') && (text[i + 1] === "'" || text[i + 1] === '"')) {
      i++;
      return readString(text[i]);
    }
    if (c === '{') {
      const entries: [Py, Py][] = [];
      i++;
      for (;;) {
        skip();
        if (text[i] === '}') break;
        const key = value();
        skip();
        if (text[i] !== ':') fail();
        i++;
        entries.push([key, value()]);
        skip();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail();
      }
      i++;
      return { dict: entries };
    }
    if (c === '[') return { list: readSequence(']') };
    if (c === '(') {
      const start = i;
      const items = readSequence(')');
      // `(3)` is 3; `(3,)` and `()` are tuples.
      const inner = text.slice(start + 1, i - 1).trim();
      if (items.length === 1 && !inner.endsWith(',')) return items[0];
      return { tuple: items };
    }
    const word = /^[+-]?[A-Za-z0-9_.]+/.exec(text.slice(i))?.[0] ?? fail();
    i += word.length;
    if (word === 'True') return true;
    if (word === 'False') return false;
    if (word === 'None') return null;
    if (/^[+-]?(0|[1-9](_?\d)*)$/.test(word)) return BigInt(word.replace(/_/g, ''));
    return fail();
  };
  try {
    const v = value();
    skip();
    return i === text.length ? v : undefined;
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

export function isTuple(v: Py): v is { tuple: readonly Py[] } {
  return typeof v === 'object' && v !== null && 'tuple' in v;
}

export function isList(v: Py): v is { list: readonly Py[] } {
  return typeof v === 'object' && v !== null && 'list' in v;
}

export function isDict(v: Py): v is { dict: readonly (readonly [Py, Py])[] } {
  return typeof v === 'object' && v !== null && 'dict' in v;
}

/** Python's int for isinstance(x, int): bigints and bools. */
export function asPyInt(v: Py): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  return undefined;
}
