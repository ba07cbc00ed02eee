import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseGenerationEos } from './config/model-config';
import { resolveModelDir } from './hub/resolve-model-dir';
import { CausalLM, type LoadOptions } from './model/causal-lm';
import { Tokenizer } from './tokenizer/tokenizer';
import { readJsonFile } from './util/read-json-file';

/** What `loadPretrained` returns. */
export interface Pretrained {
  model: CausalLM;
  tokenizer: Tokenizer;
  /** eos ids from generation_config.json, else config.json, else the tokenizer's. */
  generationConfig: { eosTokenIds: number[] };
  /** The local folder (the cache snapshot for a Hub id). */
  dir: string;
}

/**
 * Loads model, tokenizer and generation settings from one folder or Hub id (downloaded once).
 * The tokenizer's `eosTokenIds` include generation_config.json's, as transformers' generate uses.
 */
export async function loadPretrained(pathOrHubId: string, options: LoadOptions = {}): Promise<Pretrained> {
  const dir = await resolveModelDir(pathOrHubId, options);
  const generationPath = join(dir, 'generation_config.json');
  const generationEos = existsSync(generationPath)
    ? parseGenerationEos(await readJsonFile(generationPath))
    : [];
  const model = await CausalLM.load(dir, options);
  const eosFromModel = generationEos.length > 0 ? generationEos : model.config.eosTokenIds;
  const tokenizer = await Tokenizer.load(dir, { eosTokenIds: eosFromModel });
  const eosTokenIds = eosFromModel.length > 0 ? eosFromModel : tokenizer.eosTokenIds;
  return { model, tokenizer, generationConfig: { eosTokenIds }, dir };
}
