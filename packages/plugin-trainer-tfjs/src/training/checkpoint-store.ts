import * as tf from '@tensorflow/tfjs';
import { CausalLM, SafetensorsFile, writeSafetensorsFile, type SaveDtype, type Tokenizer } from '@easydistill/llm-tfjs';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AdamWOptimizer } from './adamw-optimizer';

/** What `trainer_state.json` records, beside the weights, so a run resumes exactly. */
export interface TrainerState {
  format: 'easydistill-trainer-state';
  version: 1;
  /** Optimizer steps done. */
  step: number;
  totalSteps: number;
  /** Micro-batches consumed (the data position; the order itself follows from the seed). */
  microBatches: number;
  epoch: number;
  seed: number;
  /** Hash of the options that shape the run; a resume with other options is refused. */
  optionsHash: string;
  /** Last logged metrics. */
  metrics: Record<string, number>;
}

const PREFIX = 'checkpoint-';
const OPTIMIZER_FILE = 'optimizer.safetensors';
const STATE_FILE = 'trainer_state.json';

/** Folder name of the checkpoint after `step` (zero-padded so names sort by step). */
export function checkpointName(step: number): string {
  return `${PREFIX}${String(step).padStart(8, '0')}`;
}

/**
 * Writes a Hugging Face model folder (config, weights, generation config, tokenizer files with
 * the chat template) plus `trainer_state.json` and, with an optimizer, `optimizer.safetensors`
 * (AdamW moments in float32). Written under a temporary name and renamed, so a killed run never
 * leaves a half-written checkpoint that looks complete.
 */
export async function saveModelFolder(
  dir: string,
  parts: { model: CausalLM; tokenizer: Tokenizer; state: TrainerState; optimizer?: AdamWOptimizer; dtype?: SaveDtype },
): Promise<void> {
  const temporary = `${dir}.partial`;
  await rm(temporary, { recursive: true, force: true });
  await mkdir(temporary, { recursive: true });
  await parts.model.save(temporary, { dtype: parts.dtype ?? 'float32' });
  await parts.tokenizer.save(temporary);
  if (parts.optimizer) {
    const sources = [...parts.optimizer.state()].map(([name, tensor]) => ({
      name,
      shape: tensor.shape,
      read: async () => (await tensor.data()) as Float32Array,
    }));
    await writeSafetensorsFile(join(temporary, OPTIMIZER_FILE), sources, { metadata: { step: String(parts.optimizer.step) } });
  }
  await writeFile(join(temporary, STATE_FILE), `${JSON.stringify(parts.state, null, 2)}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(temporary, dir);
}

/** The newest complete checkpoint in `checkpointDir` (one with `trainer_state.json`), if any. */
export async function latestCheckpoint(checkpointDir: string): Promise<{ dir: string; state: TrainerState } | undefined> {
  if (!existsSync(checkpointDir)) return undefined;
  const names = (await readdir(checkpointDir)).filter((name) => name.startsWith(PREFIX) && !name.endsWith('.partial')).sort();
  for (const name of names.reverse()) {
    const statePath = join(checkpointDir, name, STATE_FILE);
    if (!existsSync(statePath)) continue;
    const state = JSON.parse(await readFile(statePath, 'utf8')) as TrainerState;
    if (state.format === 'easydistill-trainer-state') return { dir: join(checkpointDir, name), state };
  }
  return undefined;
}

/** Restores AdamW moments saved with a checkpoint. */
export async function loadOptimizerState(dir: string, optimizer: AdamWOptimizer, step: number): Promise<void> {
  const path = join(dir, OPTIMIZER_FILE);
  if (!existsSync(path)) return;
  const file = await SafetensorsFile.open(path);
  try {
    const state = new Map<string, tf.Tensor>();
    for (const name of file.names()) {
      const loaded = await file.read(name);
      state.set(name, tf.tensor(loaded.data as Float32Array, loaded.shape, 'float32'));
    }
    optimizer.restore(state, step);
  } finally {
    await file.close();
  }
}

/** Deletes all but the newest `keep` checkpoints. */
export async function pruneCheckpoints(checkpointDir: string, keep: number): Promise<void> {
  const names = (await readdir(checkpointDir)).filter((name) => name.startsWith(PREFIX) && !name.endsWith('.partial')).sort();
  for (const name of names.slice(0, Math.max(0, names.length - keep))) {
    await rm(join(checkpointDir, name), { recursive: true, force: true });
  }
}
