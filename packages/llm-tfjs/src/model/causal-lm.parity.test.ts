import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend';
import type { LoadedTensor } from '../safetensors/safetensors-file';
import { FIXTURES, loadReference, maxAbsDiff, MODELS, relativeNormDiff } from '../test-support/reference';
import { CausalLM } from './causal-lm';
import { causalLmLoss } from './causal-lm-loss';

// Parity with transformers 5.17 (float32, eager attention) on both CPU backends.
describe.each(['cpu', 'wasm'] as const)('CausalLM parity on %s', (backend) => {
  beforeAll(async () => {
    expect(await initBackend(backend)).toBe(backend);
  });

  describe.each(MODELS)('%s', (modelName) => {
    let model: CausalLM;
    let reference: Map<string, LoadedTensor>;

    beforeAll(async () => {
      model = await CausalLM.load(`${FIXTURES}${modelName}`);
      reference = await loadReference(modelName);
    });
    afterAll(() => model.dispose());

    it('matches the reference logits (1e-4) and top-10 ids for all three chats', () => {
      for (let chat = 0; chat < 3; chat += 1) {
        const ids = reference.get(`ids_${chat}`)!;
        const logits = tf.tidy(() => model.forward(tf.tensor2d(ids.data as Int32Array, [1, ids.shape[0]], 'int32')));
        const values = logits.dataSync();
        expect(maxAbsDiff(values, reference.get(`logits_${chat}`)!.data)).toBeLessThan(1e-4);
        const top = tf.tidy(() => tf.topk(tf.reshape(logits, [ids.shape[0], -1]), 10));
        expect(Array.from(top.indices.dataSync())).toEqual(Array.from(reference.get(`top10_ids_${chat}`)!.data));
        const topLogProbabilities = tf.tidy(() => tf.topk(tf.logSoftmax(tf.reshape(logits, [ids.shape[0], -1])), 10).values);
        expect(maxAbsDiff(topLogProbabilities.dataSync(), reference.get(`top10_logprobs_${chat}`)!.data)).toBeLessThan(1e-4);
        tf.dispose([logits, top.indices, top.values, topLogProbabilities]);
      }
    });

    it('matches the padded-batch loss (1e-5 relative) and every gradient (1e-3 relative)', () => {
      const ids = reference.get('batch_ids')!;
      const mask = reference.get('batch_mask')!;
      const inputIds = tf.tensor2d(ids.data as Int32Array, ids.shape as [number, number], 'int32');
      const attentionMask = tf.tensor2d(mask.data as Int32Array, mask.shape as [number, number], 'int32');
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(
        () => causalLmLoss(model.forward(inputIds, { attentionMask }), inputIds, attentionMask),
        model.trainableVariables(),
      );
      const expectedLoss = reference.get('batch_loss')!.data[0];
      expect(Math.abs(value.dataSync()[0] - expectedLoss) / expectedLoss).toBeLessThan(1e-5);
      const expectedNames = [...reference.keys()].filter((name) => name.startsWith('grad.')).map((name) => name.slice(5));
      expect([...model.namedParameters().keys()].sort()).toEqual(expectedNames.sort());
      for (const [name, variable] of model.namedParameters()) {
        const gradient = grads[variable.name];
        const error = relativeNormDiff(gradient.dataSync(), reference.get(`grad.${name}`)!.data);
        expect(error, name).toBeLessThan(1e-3);
      }
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([inputIds, attentionMask]);
    });
  });
});
