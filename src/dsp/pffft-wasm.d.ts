/** The parts of @echogarden/pffft-wasm's Emscripten module that sluice uses (it ships no types). */
declare module '@echogarden/pffft-wasm/simd' {
  import type { PffftModule } from './pffft.ts';
  const factory: () => Promise<PffftModule>;
  export default factory;
}

declare module '@echogarden/pffft-wasm' {
  import type { PffftModule } from './pffft.ts';
  const factory: () => Promise<PffftModule>;
  export default factory;
}
