/**
 * The rows an HDF5 encoder writes into storage sized before the run (contiguous columns,
 * pandas-region.ts): counted, because a run that brings more or fewer rows than the file was
 * sized for would leave a file whose shape lies; committed once the region writer has written
 * every byte.
 */
import { SluiceError } from '../../core/errors.ts';
import type { AtomicFile } from '../../io/atomic-file.ts';
import { abortAfter } from '../../io/atomic-file.ts';
import type { RegionWriter } from '../../io/region-writer.ts';

/** What the ROWS_MISMATCH error says the file holds, and how to avoid sizing in advance. */
export interface SizedFor {
  /** e.g. 'datasets', 'a pandas table' */
  readonly what: string;
  readonly hint: string;
}

export class SizedRows {
  private rows = 0;

  constructor(
    private readonly file: AtomicFile,
    /** Where the rows' bytes go, region by region. */
    readonly writer: RegionWriter,
    private readonly totalRows: number,
    private readonly sizedFor: SizedFor,
  ) {}

  /** The file's final path, for errors. */
  get path(): string {
    return this.file.path;
  }

  /** Counts the next `rows` rows in, returning the number of the first; throws when they do not fit. */
  take(rows: number): number {
    const first = this.rows;
    if (first + rows > this.totalRows) throw this.rowCountError(first + rows);
    this.rows += rows;
    return first;
  }

  async finish(): Promise<void> {
    if (this.rows !== this.totalRows) throw this.rowCountError(this.rows);
    await this.writer.finish();
    await this.file.commit();
  }

  async abort(): Promise<void> {
    await abortAfter(this.file, () => this.writer.abort());
  }

  private rowCountError(rows: number): SluiceError {
    return new SluiceError(
      'ROWS_MISMATCH',
      `hdf5: ${rows} rows arrived for ${this.sizedFor.what} sized for ${this.totalRows}`,
      { path: this.file.path, hint: this.sizedFor.hint },
    );
  }
}
