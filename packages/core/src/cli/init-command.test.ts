import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { templateFolders } from './init-command';

const repositoryTemplates = fileURLToPath(new URL('../../../../templates', import.meta.url));

describe('templateFolders', () => {
  it('looks in $EASYDISTILL_TEMPLATES_DIR first, then the repository (in a clone), then the copy shipped in the package', () => {
    const custom = mkdtempSync(join(tmpdir(), 'easydistill-templates-'));
    const folders = templateFolders({ EASYDISTILL_TEMPLATES_DIR: custom });
    expect(folders[0]).toBe(custom);
    if (existsSync(repositoryTemplates)) expect(folders[1]).toBe(join(repositoryTemplates));
    expect(templateFolders({ EASYDISTILL_TEMPLATES_DIR: join(custom, 'missing') })).not.toContain(join(custom, 'missing'));
  });
});
