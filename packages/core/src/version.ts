import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { coreDirectory } from './plugin/resolve-package';

/** Version of @easydistill/core (read from its package.json, in source and in dist alike). */
export const VERSION: string = (JSON.parse(readFileSync(join(coreDirectory(), 'package.json'), 'utf8')) as { version: string }).version;
