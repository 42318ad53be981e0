/**
 * `--queue URL`: where the jobs live. `redis://[user:pass@]host[:port][/db]` (or `rediss://`
 * for TLS) for Redis, `postgres://user:pass@host[:port]/db` (or `postgresql://`) for BullMQ's
 * PostgreSQL backend. `?queue=NAME` picks the BullMQ queue (default `sluice`), so several
 * independent sets of workers can share one server.
 */
import { SluiceError } from '../core/errors.ts';

export const DEFAULT_QUEUE_NAME = 'sluice';

/** The Redis connection options BullMQ passes on to ioredis. */
export interface RedisConnection {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: Record<string, never>;
  /** BullMQ's workers block on Redis: ioredis must not give up on a command. */
  readonly maxRetriesPerRequest: null;
}

/** The PostgreSQL connection options BullMQ's PostgreSQL backend takes (a node-postgres pool config). */
export interface PostgresConnection {
  readonly connectionString: string;
  /** Create or upgrade BullMQ's tables on first connect. */
  readonly migrate: true;
}

export type QueueTarget =
  | {
      readonly backend: 'redis';
      readonly connection: RedisConnection;
      readonly name: string;
      readonly display: string;
    }
  | {
      readonly backend: 'postgres';
      readonly connection: PostgresConnection;
      readonly name: string;
      readonly display: string;
    };

/** Parses `--queue`; USAGE for anything but a redis or postgres URL. */
export function parseQueueUrl(text: string): QueueTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(text, 'not a URL');
  }
  const name = url.searchParams.get('queue') ?? DEFAULT_QUEUE_NAME;
  if (!/^[A-Za-z0-9_.-]+$/.test(name))
    throw usage(text, `queue name '${name}' must be letters, digits, _ . -`);
  url.searchParams.delete('queue');
  const display = hidePassword(url);
  switch (url.protocol) {
    case 'redis:':
    case 'rediss:':
      return { backend: 'redis', connection: redisConnection(url, text), name, display };
    case 'postgres:':
    case 'postgresql:':
      return {
        backend: 'postgres',
        connection: { connectionString: url.href, migrate: true },
        name,
        display,
      };
    default:
      throw usage(text, `unknown scheme '${url.protocol}'`);
  }
}

function redisConnection(url: URL, text: string): RedisConnection {
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw usage(text, `the database must be a number, got '${db}'`);
  return {
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    db: db === '' ? 0 : Number(db),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** The URL as messages may show it: the password replaced by `***`. */
function hidePassword(url: URL): string {
  if (!url.password) return url.href;
  const shown = new URL(url.href);
  shown.password = '***';
  return shown.href;
}

function usage(text: string, why: string): SluiceError {
  return new SluiceError('USAGE', `--queue ${text.replace(/:[^:@/]*@/, ':***@')}: ${why}`, {
    hint: 'Give redis://host:6379[/db] or postgres://user:password@host/database (optionally ?queue=NAME).',
  });
}
