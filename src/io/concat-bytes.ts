/**
 * Byte arrays joined into one: what a reader does with the pieces of a section it read in
 * parts, and a writer with the header, body and footer it builds before one write.
 */

/** The parts joined into one new buffer, in order (a copy; empty for no parts). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
