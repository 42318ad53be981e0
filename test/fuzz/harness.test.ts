/**
 * The harness catches each way an input can fail, in a child that misbehaves on purpose: an
 * untyped error, a hang (killed, the next input runs in a new child), a dead child, memory over
 * the ceiling, an error thrown after the reply; a typed error passes.
 */
import { describe, expect, it } from 'vitest';
import type { FuzzInput } from './fuzz-input.ts';
import { runInputs } from './harness.ts';
import type { Probe } from './protocol.ts';

const probe = (p: Probe, index: number): FuzzInput => ({
  format: 'npy',
  index,
  base: 'probe',
  mutation: p,
  files: {},
  probe: p,
  expect: { kind: 'consistent', reason: 'probe' },
});

describe('the fuzz harness', () => {
  it('judges typed errors, untyped errors, hangs, deaths, memory and late errors', async () => {
    const probes: Probe[] = [
      'typed',
      'untyped',
      'hang',
      'typed',
      'exit',
      'typed',
      'allocate',
      'typed',
      'stray',
      'typed',
    ];
    const results = await runInputs(
      probes.map((p, i) => probe(p, i)),
      0,
      { timeoutMs: 3000, memoryBytes: 512 * 2 ** 20, failuresDir: null },
    );
    const verdicts = results.map((r) => `${r.input.mutation}: ${r.verdict} ${r.reason ?? ''}`.trim());
    expect(verdicts[0]).toBe('typed: typed');
    expect(verdicts[1]).toMatch(/^untyped: failure untyped TypeError in run: probe/);
    expect(verdicts[2]).toMatch(/^hang: failure hang: no answer in 3000 ms/);
    expect(verdicts[3]).toBe('typed: typed'); // a new child after the hang
    expect(verdicts[4]).toMatch(/^exit: failure child died: exit 134/);
    expect(verdicts[5]).toBe('typed: typed');
    expect(verdicts[6]).toMatch(/^allocate: failure memory: peak RSS \d+ MiB/);
    expect(verdicts[7]).toBe('typed: typed');
    expect(verdicts[8]).toMatch(
      /^stray: failure after its reply: unhandled rejection: Error: probe: a stray rejection/,
    );
    expect(verdicts[9]).toBe('typed: typed');
  }, 60_000);
});
