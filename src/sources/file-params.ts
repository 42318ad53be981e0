/**
 * Params every file source shares (DESIGN.md §4): the file, the row range, the batch size,
 * the file-access backend and the sample rate. Spread `fileSourceFields` into a source's
 * `z.object({...})`; it is a plain shape so each source can still add fields and refinements.
 */
import { z } from 'zod';
import { SluiceError } from '../core/errors.ts';
import type { StageContext } from '../core/stage.ts';
import type { MappedFile } from '../io/mapped-file.ts';
import { openMappedFile } from '../io/open.ts';

export const fileSourceFields = {
  path: z.string().min(1).describe('The file to read.'),
  chunkRows: z
    .number()
    .int()
    .min(1)
    .default(1048576)
    .describe(
      'New rows per batch; memory in use is about chunkRows × bytes per row, whatever the file size.',
    ),
  startRow: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('First row to read (0-based); with endRow it selects one shard of the file.'),
  endRow: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Row to stop before (exclusive); clamped to the rows in the file. Default: the end.'),
  io: z
    .enum(['auto', 'read', 'mmap'])
    .default('auto')
    .describe(
      'File access: read uses double-buffered positioned reads, mmap maps the file in windows; auto is read, the faster for sequential scans (npm run bench).',
    ),
  sampleRate: z
    .number()
    .positive()
    .optional()
    .describe(
      'Samples per second of the rows, when they are a regularly sampled signal (becomes schema.sampleRate).',
    ),
};

export type FileSourceParams = z.output<z.ZodObject<typeof fileSourceFields>>;

/** Checks the row range for what params alone can tell, before any file is opened. */
export function checkRowParams(params: FileSourceParams): void {
  if (params.endRow !== undefined && params.startRow > params.endRow) {
    throw new SluiceError('RANGE_INVALID', `startRow ${params.startRow} is after endRow ${params.endRow}`, {
      path: params.path,
      hint: 'startRow must be ≤ endRow (endRow is exclusive)',
    });
  }
}

/** Opens the source's file with the backend the params ask for. */
export function openSourceFile(
  params: FileSourceParams,
  ctx: Pick<StageContext, 'log'>,
): Promise<MappedFile> {
  return openMappedFile(params.path, { io: params.io }, ctx.log);
}

/** Runs `build` with the opened file; closes the file when `build` throws. */
export async function closeOnError<T>(file: MappedFile, build: () => T | Promise<T>): Promise<T> {
  try {
    return await build();
  } catch (error) {
    await file.close();
    throw error;
  }
}
