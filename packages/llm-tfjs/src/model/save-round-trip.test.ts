import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend';
import { bf16ToFloat32, float32ToBf16 } from '../safetensors/dtype-conversion';
import { SafetensorsFolder } from '../safetensors/safetensors-folder';
import { FIXTURES, loadReference, maxAbsDiff, MODELS } from '../test-support/reference';
import { CausalLM } from './causal-lm';

const dir = mkdtempSync(join(tmpdir(), 'llm-tfjs-save-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(MODELS)('save and load again (%s, wasm)', (modelName) => {
  let model: CausalLM;
  let ids: tf.Tensor2D;
  let logits: Float32Array;

  beforeAll(async () => {
    await initBackend('wasm');
    model = await CausalLM.load(`${FIXTURES}${modelName}`);
    const reference = await loadReference(modelName);
    const chat = reference.get('ids_1')!;
    ids = tf.tensor2d(chat.data as Int32Array, [1, chat.shape[0]], 'int32');
    logits = tf.tidy(() => model.forward(ids)).dataSync() as Float32Array;
  });
  afterAll(() => {
    model.dispose();
    ids.dispose();
  });

  it('float32: identical tensors and identical logits', async () => {
    const target = join(dir, `${modelName}-f32`);
    await model.save(target);
    const config = JSON.parse(readFileSync(join(target, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config.dtype).toBe('float32');
    expect(config.model_type).toBe(model.config.modelType);
    expect(existsSync(join(target, 'generation_config.json'))).toBe(true);
    const original = await SafetensorsFolder.open(`${FIXTURES}${modelName}`);
    const saved = await SafetensorsFolder.open(target);
    expect(saved.names().sort()).toEqual(original.names().sort());
    for (const name of original.names()) expect(Array.from((await saved.read(name)).data)).toEqual(Array.from((await original.read(name)).data));
    await Promise.all([original.close(), saved.close()]);
    const reloaded = await CausalLM.load(target);
    const again = tf.tidy(() => reloaded.forward(ids)).dataSync();
    expect(maxAbsDiff(again, logits)).toBe(0);
    reloaded.dispose();
  });

  it('bfloat16: weights rounded to nearest even, logits as the rounded model gives them', async () => {
    const target = join(dir, `${modelName}-bf16`);
    await model.save(target, { dtype: 'bfloat16', maxShardBytes: 200_000 });
    expect(existsSync(join(target, 'model.safetensors.index.json'))).toBe(true);
    const config = JSON.parse(readFileSync(join(target, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config.dtype).toBe('bfloat16');
    const saved = await SafetensorsFolder.open(target);
    for (const [name, variable] of model.namedParameters()) {
      expect(saved.entry(name)!.dtype).toBe('BF16');
      const rounded = bf16ToFloat32(float32ToBf16(variable.dataSync() as Float32Array));
      expect(Array.from((await saved.read(name)).data), name).toEqual(Array.from(rounded));
    }
    await saved.close();
    const reloaded = await CausalLM.load(target);
    const again = tf.tidy(() => reloaded.forward(ids)).dataSync();
    const difference = maxAbsDiff(again, logits);
    expect(difference).toBeGreaterThan(0);
    // bf16 keeps 8 significant bits: relative weight error ≤ 2^-9; the logits move by about that fraction of their scale.
    const scale = logits.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
    expect(difference / scale).toBeLessThan(0.05);
    reloaded.dispose();
  });
});
