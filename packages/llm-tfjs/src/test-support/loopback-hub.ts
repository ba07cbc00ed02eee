import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** A request the loopback Hub received. */
export interface HubRequest {
  method: string;
  path: string;
  range?: string;
  authorization?: string;
}

/** A repository the loopback Hub serves from a local folder. */
export interface HubRepo {
  dir: string;
  /** Require `Authorization: Bearer <token>` (a gated repository). */
  token?: string;
}

/**
 * A loopback HTTP server speaking the Hugging Face Hub endpoints `@huggingface/hub` calls to
 * list and download a model: `GET /api/models/{id}/tree/{revision}` (JSON listing with sizes and
 * oids) and `GET /{id}/resolve/{revision}/{path}` (with `Range` → 206 + `Content-Range`, `ETag`,
 * 404 + `X-Error-Code: EntryNotFound`). `interrupt` cuts the next download of a file after N bytes.
 */
export class LoopbackHub {
  readonly requests: HubRequest[] = [];
  private readonly interrupts = new Map<string, number>();
  private server?: Server;

  constructor(private readonly repos: Record<string, HubRepo>) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Cut the next full-body download of `repo/file` after `bytes` bytes. */
  interrupt(repo: string, file: string, bytes: number): void {
    this.interrupts.set(`${repo}/${file}`, bytes);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    this.requests.push({ method: request.method ?? 'GET', path: url.pathname, range: request.headers.range, authorization: request.headers.authorization });
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)\/?$/.exec(url.pathname);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const repoId = tree?.[1] ?? resolve?.[1];
    const repo = repoId ? this.repos[repoId] : undefined;
    if (!repo) return this.error(response, 404, 'RepoNotFound', `Repository ${repoId} not found`);
    if (repo.token && request.headers.authorization !== `Bearer ${repo.token}`) {
      return this.error(response, 401, 'GatedRepo', 'Access to this model is restricted. You must be authenticated.');
    }
    if (tree) {
      const files = readdirSync(repo.dir).filter((name) => statSync(join(repo.dir, name)).isFile());
      const listing = files.map((path) => {
        const bytes = readFileSync(join(repo.dir, path));
        return { type: 'file', oid: createHash('sha1').update(bytes).digest('hex'), size: bytes.length, path };
      });
      response.writeHead(200, { 'content-type': 'application/json' });
      return void response.end(JSON.stringify(listing));
    }
    const file = decodeURIComponent(resolve![3]);
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(repo.dir, file));
    } catch {
      return this.error(response, 404, 'EntryNotFound', `${file} does not exist`);
    }
    const etag = `"${createHash('sha256').update(bytes).digest('hex')}"`;
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
      response.writeHead(206, {
        'content-range': `bytes ${start}-${end}/${bytes.length}`,
        'content-length': String(end - start + 1),
        etag,
        'accept-ranges': 'bytes',
      });
      return void response.end(bytes.subarray(start, end + 1));
    }
    const key = `${repoId}/${file}`;
    const cut = this.interrupts.get(key);
    response.writeHead(200, { 'content-length': String(bytes.length), etag, 'accept-ranges': 'bytes' });
    if (cut !== undefined) {
      this.interrupts.delete(key);
      response.write(bytes.subarray(0, cut), () => setTimeout(() => response.socket?.destroy(), 20));
      return;
    }
    response.end(bytes);
  }

  private error(response: ServerResponse, status: number, code: string, message: string): void {
    response.writeHead(status, { 'content-type': 'application/json', 'x-error-code': code, 'x-error-message': message });
    response.end(JSON.stringify({ error: message }));
  }
}
