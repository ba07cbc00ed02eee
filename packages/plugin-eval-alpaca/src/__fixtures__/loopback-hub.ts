import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the loopback Hub received (test helper). */
export interface HubRequest {
  method: string;
  url: string;
  range?: string;
}

/** A running loopback Hub (test helper). */
export interface LoopbackHub {
  url: string;
  requests: HubRequest[];
  close(): Promise<void>;
}

/**
 * A test double of the Hugging Face Hub on 127.0.0.1 that speaks the endpoints `@huggingface/hub`
 * calls for `downloadFileToCacheDir` on a dataset: `POST /api/datasets/<repo>/paths-info/<rev>` and
 * `GET /datasets/<repo>/resolve/<rev>/<path>` with `Range` support, ETag and the
 * `X-Error-Code: EntryNotFound` 404. Serves `files` for `repository` at `revision` only.
 */
export async function startLoopbackHub(options: {
  repository: string;
  revision: string;
  files: Record<string, Buffer>;
}): Promise<LoopbackHub> {
  const requests: HubRequest[] = [];
  const gitOid = (bytes: Buffer) => createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
  const commit = options.revision;

  const handler = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: request.method ?? '', url: url.pathname, range: request.headers.range });
    const pathsInfo = `/api/datasets/${options.repository}/paths-info/${encodeURIComponent(options.revision)}`;
    const resolvePrefix = `/datasets/${options.repository}/resolve/${encodeURIComponent(options.revision)}/`;
    if (request.method === 'POST' && url.pathname === pathsInfo) {
      let body = '';
      for await (const chunk of request) body += chunk;
      const { paths } = JSON.parse(body) as { paths: string[] };
      const entries = paths
        .filter((path) => options.files[path] !== undefined)
        .map((path) => ({
          type: 'file',
          path,
          oid: gitOid(options.files[path]),
          size: options.files[path].length,
          lastCommit: { id: commit, title: 'Upload', date: '2024-05-01T00:00:00.000Z' },
        }));
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(entries));
      return;
    }
    if ((request.method === 'GET' || request.method === 'HEAD') && url.pathname.startsWith(resolvePrefix)) {
      const path = decodeURIComponent(url.pathname.slice(resolvePrefix.length));
      const bytes = options.files[path];
      if (bytes === undefined) {
        response.writeHead(404, { 'X-Error-Code': 'EntryNotFound', 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ error: 'Entry not found' }));
        return;
      }
      const etag = `"${gitOid(bytes)}"`;
      const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
      if (range) {
        const start = Number(range[1]);
        const end = range[2] === '' ? bytes.length - 1 : Math.min(Number(range[2]), bytes.length - 1);
        response.writeHead(206, {
          'Content-Range': `bytes ${start}-${end}/${bytes.length}`,
          'Content-Length': String(end - start + 1),
          'Accept-Ranges': 'bytes',
          ETag: etag,
          'Content-Type': 'application/octet-stream',
        });
        response.end(request.method === 'HEAD' ? undefined : bytes.subarray(start, end + 1));
        return;
      }
      response.writeHead(200, { 'Content-Length': String(bytes.length), 'Accept-Ranges': 'bytes', ETag: etag });
      response.end(request.method === 'HEAD' ? undefined : bytes);
      return;
    }
    response.writeHead(404, { 'Content-Type': 'application/json', 'X-Error-Code': 'RepoNotFound' });
    response.end(JSON.stringify({ error: 'Repository not found' }));
  };

  const server: Server = createServer((request, response) => {
    handler(request, response).catch((error) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** The three dataset files from the fixtures, keyed by their path in the dataset repository (test helper). */
export function fixtureDatasetFiles(readFixture: (name: string) => Buffer): Record<string, Buffer> {
  return Object.fromEntries(
    ['alpaca_eval_gpt4_baseline.json', 'instruction_difficulty.csv', 'df_gamed.csv'].map((name) => [name, readFixture(name)]),
  );
}
