/**
 * The sink a shard (a thread's piece, a queued shard, a spec test) runs in a sink's place: the
 * accumulator without its outputs, so a shard stopped at any moment leaves no file.
 */
import type { SinkStage, WrappedSink } from '../core/stage.ts';
import type { StagePlan } from './validate.ts';

/**
 * The sink a piece runs in `sink`'s place: the sink it wraps, if any (`plot` draws what its
 * inner sink accumulates, and that accumulator is the one merged), without its outputs.
 */
export function shardSink(sink: StagePlan<SinkStage>): StagePlan {
  let layer: WrappedSink = sink;
  for (let depth = 0; layer.stage.wraps && depth < 4; depth++) layer = layer.stage.wraps(layer.params);
  return {
    stage: layer.stage,
    params: withoutOutputs(layer.params, layer.stage.outputs(layer.params)),
    pointer: sink.pointer,
  };
}

/** `sink`'s shard as a spec names it: `{ type: 'welch', nperseg: 256 }` (no outputs). */
export function shardSinkRef(sink: WrappedSink): { readonly type: string } & Record<string, unknown> {
  const { stage, params } = shardSink({ ...sink, pointer: '' });
  return { type: stage.name, ...params };
}

/**
 * A piece's sink writes nothing: the main thread merges and writes. Params naming an output
 * are left out (they are optional on every accumulator sink), so a thread stopped at any
 * moment leaves no file, not even a temporary one.
 */
export function withoutOutputs<T extends Record<string, unknown>>(ref: T, outputs: readonly string[]): T {
  return Object.fromEntries(
    Object.entries(ref).filter(([, value]) => !outputs.includes(value as string)),
  ) as T;
}
