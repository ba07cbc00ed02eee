import { describe, expect, it } from 'vitest';
import { ropeInverseFrequencies } from '../model/rope';
import { parseModelConfig } from './model-config';

const base = { hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, vocab_size: 100 };

describe('parseModelConfig', () => {
  it('reads the transformers-4 spelling (rope_theta, rope_scaling, torch_dtype) as Qwen2.5 ships it', () => {
    const config = parseModelConfig({ ...base, model_type: 'qwen2', num_key_value_heads: 2, rope_theta: 1000000, torch_dtype: 'bfloat16', tie_word_embeddings: true, eos_token_id: 151645 });
    expect(config.rope).toMatchObject({ theta: 1000000, type: 'default' });
    expect(config.dtype).toBe('bfloat16');
    expect(config).toMatchObject({ qkvBias: true, outputBias: false, qkNorm: false, headDim: 16, numKeyValueHeads: 2, tieWordEmbeddings: true, eosTokenIds: [151645] });
  });

  it('reads the transformers-5 spelling (rope_parameters, dtype) and Llama-3 scaling', () => {
    const config = parseModelConfig({
      ...base,
      model_type: 'llama',
      dtype: 'float32',
      eos_token_id: [128001, 128009],
      rope_parameters: { rope_type: 'llama3', rope_theta: 500000, factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
    });
    expect(config.rope).toEqual({ theta: 500000, type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 });
    expect(config).toMatchObject({ qkvBias: false, numKeyValueHeads: 4, eosTokenIds: [128001, 128009], dtype: 'float32' });
    const plain = ropeInverseFrequencies({ theta: 500000, type: 'default' }, 128);
    const scaled = ropeInverseFrequencies(config.rope, 128);
    for (let index = 0; index < 64; index += 1) {
      const wavelength = (2 * Math.PI) / plain[index];
      if (wavelength < 8192 / 4) expect(scaled[index]).toBe(plain[index]); // high frequencies kept
      else if (wavelength > 8192) expect(scaled[index]).toBe(Math.fround(plain[index] / 8)); // low frequencies / factor
      else {
        expect(scaled[index]).toBeLessThan(plain[index]); // smoothly in between
        expect(scaled[index]).toBeGreaterThan(plain[index] / 8);
      }
    }
  });

  it('derives Qwen3 q/k norms and an explicit head_dim', () => {
    const config = parseModelConfig({ ...base, model_type: 'qwen3', head_dim: 32, num_key_value_heads: 1, attention_bias: false, rope_theta: 1000000 });
    expect(config).toMatchObject({ qkNorm: true, headDim: 32, qkvBias: false, outputBias: false });
  });

  it('rejects unknown architectures and sliding windows with the file named', () => {
    expect(() => parseModelConfig({ ...base, model_type: 'gpt2' }, 'models/x/config.json')).toThrow(/models\/x\/config.json: model_type "gpt2" is not supported/);
    expect(() => parseModelConfig({ ...base, model_type: 'qwen2', use_sliding_window: true })).toThrow(/use_sliding_window/);
    expect(() => parseModelConfig({ ...base, model_type: 'llama', rope_scaling: { type: 'yarn', factor: 4 } })).toThrow(/rope type "yarn"/);
  });
});
