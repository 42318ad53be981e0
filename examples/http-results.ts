/**
 * An HTTP app that streams sluice's results to its responses, mixing sluice's stages with its
 * own streams (node:stream/promises pipeline: backpressure from the client's socket reaches
 * the file reads; a client that goes away stops the read and closes the file).
 *
 *   npx tsx examples/http-results.ts data/sample        then open
 *   http://localhost:8080/rows?file=signal.npy&limit=100   (CSV, streamed)
 *   http://localhost:8080/histogram?file=signal.npy&bins=50&lo=-2&hi=2   (JSON)
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isSluiceError, openSink, openSource, openTransform } from 'sluice';
import type { Batch } from 'sluice';

/** The app: files are looked up by name in `dir`. */
export function createApp(dir: string): Server {
  return createServer((request, response) => {
    handle(dir, request, response).catch((error: unknown) => fail(response, error));
  });
}

async function handle(dir: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const file = join(dir, basename(url.searchParams.get('file') ?? ''));
  if (url.pathname === '/rows') {
    const limit = Number(url.searchParams.get('limit') ?? 1000);
    const source = await openSource({ type: 'npy', path: file, chunkRows: 65536, endRow: limit });
    response.writeHead(200, { 'content-type': 'text/csv' });
    // sluice's Readable, then our own Transform, into the response.
    await pipeline(source, toCsv(source.schema.columns.map((c) => c.name)), response);
  } else if (url.pathname === '/histogram') {
    const source = await openSource({ type: 'npy', path: file });
    const scaled = openTransform(
      { type: 'derive', name: 'value', expr: `value * ${Number(url.searchParams.get('scale') ?? 1)}` },
      source.schema,
    );
    const range: [number, number] = [
      Number(url.searchParams.get('lo') ?? -1),
      Number(url.searchParams.get('hi') ?? 1),
    ];
    const sink = openSink(
      { type: 'histogram', column: 'value', bins: Number(url.searchParams.get('bins') ?? 20), range },
      scaled.schema,
    );
    await pipeline(source, scaled, sink);
    const { edges, counts } = await sink.result;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ edges, counts }));
  } else {
    response.writeHead(404).end('try /rows?file=NAME or /histogram?file=NAME\n');
  }
}

/** Batches as CSV lines: the new rows of each (the look-back rows were sent with the batch before). */
function toCsv(columns: readonly string[]): Transform {
  let header = true;
  return new Transform({
    writableObjectMode: true,
    transform(batch: Batch, _encoding, callback) {
      const lines = header ? [columns.join(',')] : [];
      header = false;
      for (let r = batch.history; r < batch.rows; r++) {
        lines.push(columns.map((name) => String(batch.columns[name].data[r])).join(','));
      }
      callback(null, `${lines.join('\n')}\n`);
    },
  });
}

function fail(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const status = isSluiceError(error) && error.exitCode === 2 ? 400 : 500;
  const body = isSluiceError(error)
    ? { code: error.code, message: error.message, hint: error.hint }
    : { message: String(error) };
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 8080);
  createApp(process.argv[2] ?? 'data/sample').listen(port, () =>
    console.log(`listening on http://localhost:${port}`),
  );
}
