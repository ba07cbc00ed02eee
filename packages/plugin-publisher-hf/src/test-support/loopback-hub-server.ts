import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server saw (for assertions on headers). */
export interface HubRequestRecord {
  method: string;
  path: string;
  authorization?: string;
}

export interface HubRepoState {
  visibility: 'private' | 'public' | undefined;
  files: Map<string, Buffer>;
  commits: Array<{ oid: string; summary: string; paths: string[] }>;
}

/** Extensions the server asks to go through LFS, as the Hub's default `.gitattributes` does. */
const LFS_EXTENSIONS = /\.(safetensors|gguf|bin|pt|onnx|h5)$/;

/**
 * A loopback (127.0.0.1) test double of the Hugging Face Hub endpoints `@huggingface/hub`'s
 * `createRepo` and `commit` call, speaking the real protocol over real HTTP:
 * `POST /api/repos/create`, `POST /api/models/{repo}/preupload/{rev}`,
 * `POST /{repo}.git/info/lfs/objects/batch` (basic transfer), `PUT` to the upload href it hands
 * out (storage: checks the sha256 oid and size), and `POST /api/models/{repo}/commit/{rev}`
 * (NDJSON: header, file, lfsFile, deletedFile). Everything else answers 404 and is recorded.
 */
export class LoopbackHubServer {
  readonly requests: HubRequestRecord[] = [];
  readonly repos = new Map<string, HubRepoState>();
  readonly unexpected: string[] = [];
  private readonly lfs = new Map<string, Buffer>();
  private server?: Server;
  url = '';

  constructor(private readonly token: string) {}

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: Error) => this.json(response, 500, { error: error.message }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server?.close((error) => (error ? reject(error) : resolve())));
  }

  private json(response: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
    response.writeHead(status, { 'Content-Type': type });
    response.end(JSON.stringify(body));
  }

  private async body(request: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  private authorised(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.headers.authorization === `Bearer ${this.token}`) return true;
    this.json(response, 401, { error: 'Invalid credentials in Authorization header' });
    return false;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const path = decodeURIComponent(url.pathname);
    const method = request.method ?? 'GET';
    this.requests.push({ method, path, authorization: request.headers.authorization });
    let match: RegExpExecArray | null;

    if (method === 'POST' && path === '/api/repos/create') {
      if (!this.authorised(request, response)) return;
      const payload = JSON.parse((await this.body(request)).toString('utf8')) as { name: string; organization?: string; type?: string; visibility?: 'private' | 'public' };
      const name = `${payload.organization}/${payload.name}`;
      if (payload.type !== 'model') return this.json(response, 400, { error: `unsupported type ${payload.type}` });
      if (this.repos.has(name)) return this.json(response, 409, { error: 'You already created this model repo', url: `${this.url}/${name}` });
      this.repos.set(name, { visibility: payload.visibility, files: new Map(), commits: [] });
      return this.json(response, 200, { url: `${this.url}/${name}`, name, id: randomBytes(12).toString('hex') });
    }

    if (method === 'POST' && (match = /^\/api\/models\/([^/]+\/[^/]+)\/preupload\/([^/]+)$/.exec(path))) {
      if (!this.authorised(request, response)) return;
      if (!this.repos.has(match[1])) return this.json(response, 404, { error: 'Repository not found' });
      const payload = JSON.parse((await this.body(request)).toString('utf8')) as { files: Array<{ path: string; size: number; sample: string }> };
      return this.json(response, 200, {
        files: payload.files.map((file) => ({
          path: file.path,
          uploadMode: LFS_EXTENSIONS.test(file.path) || file.size > 10 * 1024 * 1024 ? 'lfs' : 'regular',
          shouldIgnore: false,
        })),
        commitOid: randomBytes(20).toString('hex'),
      });
    }

    if (method === 'POST' && (match = /^\/([^/]+\/[^/]+)\.git\/info\/lfs\/objects\/batch$/.exec(path))) {
      if (!this.authorised(request, response)) return;
      if (!this.repos.has(match[1])) return this.json(response, 404, { message: 'Repository not found' }, 'application/vnd.git-lfs+json');
      const payload = JSON.parse((await this.body(request)).toString('utf8')) as { operation: string; transfers: string[]; objects: Array<{ oid: string; size: number }> };
      if (payload.operation !== 'upload' || !payload.transfers.includes('basic')) return this.json(response, 422, { message: 'basic upload only' }, 'application/vnd.git-lfs+json');
      return this.json(
        response,
        200,
        {
          transfer: 'basic',
          objects: payload.objects.map((object) => ({
            oid: object.oid,
            size: object.size,
            authenticated: true,
            ...(this.lfs.has(object.oid) ? {} : { actions: { upload: { href: `${this.url}/lfs-storage/${object.oid}?size=${object.size}`, expires_in: 3600 } } }),
          })),
        },
        'application/vnd.git-lfs+json',
      );
    }

    if (method === 'PUT' && (match = /^\/lfs-storage\/([0-9a-f]{64})$/.exec(path))) {
      const bytes = await this.body(request);
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (digest !== match[1] || bytes.length !== Number(url.searchParams.get('size'))) {
        return this.json(response, 400, { error: `content does not match oid ${match[1]} (got ${digest}, ${bytes.length} bytes)` });
      }
      this.lfs.set(digest, bytes);
      response.writeHead(200, { ETag: `"${digest}"` });
      return void response.end();
    }

    if (method === 'POST' && (match = /^\/api\/models\/([^/]+\/[^/]+)\/commit\/([^/]+)$/.exec(path))) {
      if (!this.authorised(request, response)) return;
      const repo = this.repos.get(match[1]);
      if (!repo) return this.json(response, 404, { error: 'Repository not found' });
      const lines = (await this.body(request)).toString('utf8').split('\n').filter(Boolean);
      const staged = new Map(repo.files);
      let summary = '';
      const paths: string[] = [];
      for (const line of lines) {
        const { key, value } = JSON.parse(line) as { key: string; value: Record<string, string> };
        if (key === 'header') summary = value.summary;
        else if (key === 'file') {
          if (value.encoding !== 'base64') return this.json(response, 400, { error: `unsupported encoding ${value.encoding}` });
          staged.set(value.path, Buffer.from(value.content, 'base64'));
          paths.push(value.path);
        } else if (key === 'lfsFile') {
          const bytes = this.lfs.get(value.oid);
          if (!bytes) return this.json(response, 422, { error: `LFS object ${value.oid} for ${value.path} was never uploaded` });
          staged.set(value.path, bytes);
          paths.push(value.path);
        } else if (key === 'deletedFile') staged.delete(value.path);
        else return this.json(response, 400, { error: `unknown NDJSON key ${key}` });
      }
      repo.files = staged;
      const oid = randomBytes(20).toString('hex');
      repo.commits.push({ oid, summary, paths });
      return this.json(response, 200, { success: true, commitOid: oid, commitUrl: `${this.url}/${match[1]}/commit/${oid}` });
    }

    this.unexpected.push(`${method} ${path}`);
    this.json(response, 404, { error: `not implemented by the loopback Hub: ${method} ${path}` });
  }
}
