import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LlmError } from '../errors/llm-error';
import { SafetensorsFile, type LoadedTensor, type SafetensorsEntry } from './safetensors-file';

/** The name of the shard index file transformers writes beside sharded weights. */
export const SAFETENSORS_INDEX_FILE = 'model.safetensors.index.json';
/** The name of single-file weights. */
export const SAFETENSORS_SINGLE_FILE = 'model.safetensors';

/**
 * The weights of a model folder: `model.safetensors`, or the shards that
 * `model.safetensors.index.json` lists. Tensors are read one at a time.
 */
export class SafetensorsFolder {
  private constructor(
    readonly dir: string,
    private readonly files: SafetensorsFile[],
    private readonly owner: Map<string, SafetensorsFile>,
  ) {}

  /** Opens the weights in `dir`; throws `LlmError` (`weights-not-found`) when there are none. */
  static async open(dir: string): Promise<SafetensorsFolder> {
    const indexPath = join(dir, SAFETENSORS_INDEX_FILE);
    const singlePath = join(dir, SAFETENSORS_SINGLE_FILE);
    const files: SafetensorsFile[] = [];
    const owner = new Map<string, SafetensorsFile>();
    try {
      if (existsSync(indexPath)) {
        let index: { weight_map?: Record<string, string> };
        try {
          index = JSON.parse(await readFile(indexPath, 'utf8')) as typeof index;
        } catch (error) {
          throw new LlmError('safetensors-index-invalid', `${indexPath} is not valid JSON.`, { cause: error });
        }
        if (!index.weight_map) throw new LlmError('safetensors-index-invalid', `${indexPath} has no "weight_map".`);
        const byShard = new Map<string, SafetensorsFile>();
        for (const [name, shard] of Object.entries(index.weight_map)) {
          let file = byShard.get(shard);
          if (!file) {
            file = await SafetensorsFile.open(join(dir, shard));
            byShard.set(shard, file);
            files.push(file);
          }
          if (!file.tensors.has(name)) {
            throw new LlmError('safetensors-index-invalid', `${indexPath} maps "${name}" to ${shard}, which has no such tensor.`);
          }
          owner.set(name, file);
        }
      } else if (existsSync(singlePath)) {
        const file = await SafetensorsFile.open(singlePath);
        files.push(file);
        for (const name of file.names()) owner.set(name, file);
      } else {
        throw new LlmError('weights-not-found', `${dir} has neither ${SAFETENSORS_SINGLE_FILE} nor ${SAFETENSORS_INDEX_FILE}; pass a Hugging Face model folder saved with safetensors.`);
      }
    } catch (error) {
      await Promise.all(files.map((file) => file.close()));
      throw error;
    }
    return new SafetensorsFolder(dir, files, owner);
  }

  /** All tensor names. */
  names(): string[] {
    return [...this.owner.keys()];
  }

  /** Whether a tensor exists. */
  has(name: string): boolean {
    return this.owner.has(name);
  }

  /** Header entry of a tensor (dtype, shape). */
  entry(name: string): SafetensorsEntry | undefined {
    return this.owner.get(name)?.tensors.get(name);
  }

  /** Reads one tensor (see `SafetensorsFile.read`). */
  async read(name: string): Promise<LoadedTensor> {
    const file = this.owner.get(name);
    if (!file) throw new LlmError('tensor-not-found', `The weights in ${this.dir} have no tensor named "${name}".`);
    return file.read(name);
  }

  /** Closes every shard. */
  async close(): Promise<void> {
    await Promise.all(this.files.map((file) => file.close()));
  }
}
