import { describe, expect, it } from 'vitest';
import { ipcFormatOf } from '../../../src/formats/arrow/writer.ts';

describe('ipcFormatOf', () => {
  it('auto is the stream format for .arrows, the file format otherwise', () => {
    expect(ipcFormatOf('a/x.ARROWS', 'auto')).toBe('stream');
    expect(ipcFormatOf('x.arrow', 'auto')).toBe('file');
    expect(ipcFormatOf('x.feather', 'auto')).toBe('file');
    expect(ipcFormatOf('x.arrows', 'file')).toBe('file');
    expect(ipcFormatOf('x.arrow', 'stream')).toBe('stream');
  });
});
