import type { SourceStage } from '../core/stage.ts';
import apt from './apt.ts';
import arrow from './arrow.ts';
import csv from './csv.ts';
import daf from './daf.ts';
import epos from './epos.ts';
import hdf5 from './hdf5.ts';
import npy from './npy.ts';
import parquet from './parquet.ts';
import pos from './pos.ts';
import raw from './raw.ts';

/**
 * Every source stage, in the order `sluice stages` lists them (the registry is built from this;
 * the API's source definitions are typed from it).
 */
export const sources = [
  raw,
  npy,
  epos,
  pos,
  apt,
  hdf5,
  daf,
  parquet,
  arrow,
  csv,
] as const satisfies readonly SourceStage[];
