import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** What `madvise` is told about a window (MADV_NORMAL, _SEQUENTIAL, _WILLNEED, _DONTNEED). */
export type MmapAdvice = 'normal' | 'sequential' | 'willneed' | 'dontneed';

/** The native addon built from native/mmap.cc by scripts/build-addon.js. */
export interface MmapAddon {
  /**
   * A private copy-on-write mapping of [offset, offset + length) of `fd` (offset page aligned,
   * length > 0). The Buffer owns the mapping: it is unmapped when V8 collects it, never before.
   * Writes never reach the file.
   */
  map(fd: number, offset: number, length: number): Buffer;
  /** madvise on the pages covering [offset, offset + length) of a Buffer returned by `map`. */
  advise(buffer: Buffer, advice: MmapAdvice, offset?: number, length?: number): void;
  pageSize(): number;
  /** Zeroed, page-aligned memory (what O_DIRECT writes need); absent from older builds. */
  alignedBuffer?(length: number): Buffer;
}

/** Whether the addon loaded, and if not, why (for one `--verbose` line). */
export type MmapAvailability =
  | { readonly available: true; readonly addon: MmapAddon; readonly path: string }
  | { readonly available: false; readonly reason: string; readonly path: string };

/** Where scripts/build-addon.js puts the addon: build/ at the repository root. */
export const ADDON_PATH = fileURLToPath(new URL('../../build/Release/sluice_mmap.node', import.meta.url));

// Loading a native module is process-wide anyway (dlopen, require cache), so the outcome is
// remembered once rather than retried per file.
let loaded: MmapAvailability | undefined;

/** Loads the addon on first call; later calls return the same outcome. */
export function mmapAvailability(): MmapAvailability {
  loaded ??= loadAddon(ADDON_PATH);
  return loaded;
}

/** The addon, or undefined when it was not built or failed to load. */
export function loadMmapAddon(): MmapAddon | undefined {
  const status = mmapAvailability();
  return status.available ? status.addon : undefined;
}

/** Loads an addon file; never throws. Exported for tests. */
export function loadAddon(path: string): MmapAvailability {
  if (process.platform === 'win32')
    return { available: false, reason: 'mmap is not supported on Windows', path };
  if (!existsSync(path)) {
    return { available: false, reason: `${path} was not built (see npm install output)`, path };
  }
  try {
    const module: unknown = createRequire(import.meta.url)(path);
    if (!isMmapAddon(module))
      return { available: false, reason: `${path} does not export map/advise/pageSize`, path };
    return { available: true, addon: module, path };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { available: false, reason: `${path} failed to load: ${reason}`, path };
  }
}

function isMmapAddon(value: unknown): value is MmapAddon {
  if (typeof value !== 'object' || value === null) return false;
  return ['map', 'advise', 'pageSize'].every((name) => typeof Reflect.get(value, name) === 'function');
}
