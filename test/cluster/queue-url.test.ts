/** `--queue URL`: what each form means, and the mistakes refused before anything connects. */
import { describe, expect, it } from 'vitest';
import { parseQueueUrl } from '../../src/cluster/queue-url.ts';
import { SluiceError } from '../../src/core/errors.ts';

describe('parseQueueUrl', () => {
  it.each([
    [
      'redis://127.0.0.1:6390',
      { backend: 'redis', name: 'sluice', connection: { host: '127.0.0.1', port: 6390, db: 0 } },
    ],
    [
      'redis://h/3?queue=night',
      { backend: 'redis', name: 'night', connection: { host: 'h', port: 6379, db: 3 } },
    ],
    [
      'rediss://u:p%40ss@h:7000',
      { backend: 'redis', connection: { username: 'u', password: 'p@ss', tls: {} } },
    ],
    [
      'postgres://me:secret@db.example/sluice?queue=q2',
      {
        backend: 'postgres',
        name: 'q2',
        connection: { connectionString: 'postgres://me:secret@db.example/sluice', migrate: true },
      },
    ],
    ['postgresql://db/x', { backend: 'postgres', name: 'sluice' }],
  ])('%s', (url, expected) => {
    expect(parseQueueUrl(url)).toMatchObject(expected);
  });

  it('never shows the password', () => {
    expect(parseQueueUrl('postgres://me:secret@db/x').display).toBe('postgres://me:***@db/x');
  });

  it.each([
    ['http://host', /unknown scheme 'http:'/],
    ['not a url', /not a URL/],
    ['redis://host/abc', /database must be a number/],
    ['redis://host?queue=a:b', /queue name 'a:b'/],
  ])('refuses %s', (url, message) => {
    const error = (() => {
      try {
        parseQueueUrl(url);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SluiceError);
    expect(error).toMatchObject({ code: 'USAGE', message: expect.stringMatching(message) });
  });
});
