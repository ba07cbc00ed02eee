import { DistillError } from '@easydistill/core';
import type { ModelConfig } from '@easydistill/llm-tfjs';
import type { GgufMetadata } from './gguf-metadata';

/** The llama.cpp architectures this exporter writes. */
export type GgufArchitecture = 'llama' | 'qwen2' | 'qwen3';

/** How one Hugging Face tensor becomes a GGUF tensor. */
export interface GgufTensorMapping {
  name: string;
  /** Heads to regroup the rows into (llama.cpp's `LlamaModel.permute`) for Llama's q/k projections. */
  permuteHeads?: number;
}

const ARCHITECTURES: Record<string, GgufArchitecture> = { llama: 'llama', mistral: 'llama', qwen2: 'qwen2', qwen3: 'qwen3' };

const LAYER_TENSORS: Record<string, string> = {
  'input_layernorm.weight': 'attn_norm.weight',
  'self_attn.q_proj.weight': 'attn_q.weight',
  'self_attn.q_proj.bias': 'attn_q.bias',
  'self_attn.k_proj.weight': 'attn_k.weight',
  'self_attn.k_proj.bias': 'attn_k.bias',
  'self_attn.v_proj.weight': 'attn_v.weight',
  'self_attn.v_proj.bias': 'attn_v.bias',
  'self_attn.o_proj.weight': 'attn_output.weight',
  'self_attn.o_proj.bias': 'attn_output.bias',
  'self_attn.q_norm.weight': 'attn_q_norm.weight',
  'self_attn.k_norm.weight': 'attn_k_norm.weight',
  'post_attention_layernorm.weight': 'ffn_norm.weight',
  'mlp.gate_proj.weight': 'ffn_gate.weight',
  'mlp.up_proj.weight': 'ffn_up.weight',
  'mlp.down_proj.weight': 'ffn_down.weight',
};

/** Picks the llama.cpp architecture of a checkpoint, refusing what llama.cpp's loader would not load. */
export function ggufArchitecture(config: ModelConfig, configPath: string): GgufArchitecture {
  const architecture = ARCHITECTURES[config.modelType];
  if (!architecture) {
    throw new DistillError({
      code: 'INVALID_MODEL',
      message: `${configPath}: model_type "${config.modelType}" cannot be exported to GGUF (supported: ${Object.keys(ARCHITECTURES).join(', ')}).`,
    });
  }
  if (config.mlpBias) {
    throw new DistillError({ code: 'INVALID_MODEL', message: `${configPath}: mlp_bias=true has no llama.cpp tensor for ${architecture}; export a model without MLP biases.` });
  }
  if (architecture === 'qwen3' && (config.qkvBias || config.outputBias)) {
    throw new DistillError({ code: 'INVALID_MODEL', message: `${configPath}: llama.cpp's qwen3 loader has no attention biases; attention_bias must be false.` });
  }
  return architecture;
}

/**
 * The GGUF name of a Hugging Face tensor (llama.cpp's `TensorNameMap`), `undefined` for tensors
 * llama.cpp does not use (`rotary_emb.inv_freq`, a tied `lm_head.weight`). Llama's q/k weights
 * and biases are permuted from the rotate-half layout of transformers to the interleaved one
 * llama.cpp's `llama` rope expects; Qwen2/Qwen3 use NeoX rope in llama.cpp and are not permuted.
 */
export function mapTensorName(name: string, architecture: GgufArchitecture, config: ModelConfig, tied: boolean): GgufTensorMapping | undefined {
  if (name === 'model.embed_tokens.weight') return { name: 'token_embd.weight' };
  if (name === 'model.norm.weight') return { name: 'output_norm.weight' };
  if (name === 'lm_head.weight') return tied ? undefined : { name: 'output.weight' };
  const match = /^model\.layers\.(\d+)\.(.+)$/.exec(name);
  if (!match) return undefined;
  const [, layer, rest] = match;
  if (rest.endsWith('rotary_emb.inv_freq')) return undefined;
  const suffix = LAYER_TENSORS[rest];
  if (!suffix) return undefined;
  const mapping: GgufTensorMapping = { name: `blk.${layer}.${suffix}` };
  if (architecture === 'llama' && rest.startsWith('self_attn.q_proj.')) mapping.permuteHeads = config.numAttentionHeads;
  if (architecture === 'llama' && rest.startsWith('self_attn.k_proj.')) mapping.permuteHeads = config.numKeyValueHeads;
  return mapping;
}

/**
 * llama.cpp's `LlamaModel.permute`: rows `reshape(heads, 2, rows / heads / 2, ...)` with the two
 * middle axes swapped. Works for weights (`columns` > 1) and biases (`columns` = 1).
 */
export function permuteRows(values: Float32Array, rows: number, columns: number, heads: number): Float32Array {
  const half = rows / heads / 2;
  if (!Number.isInteger(half)) throw new RangeError(`Cannot permute ${rows} rows into ${heads} heads of two halves.`);
  const output = new Float32Array(values.length);
  for (let head = 0; head < heads; head += 1) {
    for (let part = 0; part < 2; part += 1) {
      for (let index = 0; index < half; index += 1) {
        const source = (head * 2 * half + part * half + index) * columns;
        const target = (head * 2 * half + index * 2 + part) * columns;
        output.set(values.subarray(source, source + columns), target);
      }
    }
  }
  return output;
}

/** llama.cpp's `rope_freqs` factors for `rope_type: llama3` (as `LlamaModel.generate_extra_tensors`). */
export function llama3RopeFactors(config: ModelConfig): Float32Array {
  const rope = config.rope;
  const factor = rope.factor ?? 8;
  const lowFreqFactor = rope.lowFreqFactor ?? 1;
  const highFreqFactor = rope.highFreqFactor ?? 4;
  const oldContext = rope.originalMaxPositionEmbeddings ?? 8192;
  const lowFreqWavelength = oldContext / lowFreqFactor;
  const highFreqWavelength = oldContext / highFreqFactor;
  const dimension = config.headDim;
  const factors = new Float32Array(dimension / 2);
  for (let index = 0; index < dimension / 2; index += 1) {
    const frequency = Math.fround(1 / Math.fround(rope.theta ** Math.fround((2 * index) / dimension)));
    const wavelength = (2 * Math.PI) / frequency;
    if (wavelength < highFreqWavelength) factors[index] = 1;
    else if (wavelength > lowFreqWavelength) factors[index] = factor;
    else {
      const smooth = (oldContext / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
      factors[index] = 1 / ((1 - smooth) / factor + smooth);
    }
  }
  return factors;
}

/** Writes the `{arch}.*` hyper-parameters llama.cpp's loader reads. */
export function writeArchitectureMetadata(metadata: GgufMetadata, architecture: GgufArchitecture, config: ModelConfig): void {
  const prefix = architecture;
  metadata
    .uint32(`${prefix}.vocab_size`, config.vocabSize)
    .uint32(`${prefix}.context_length`, config.maxPositionEmbeddings)
    .uint32(`${prefix}.embedding_length`, config.hiddenSize)
    .uint32(`${prefix}.block_count`, config.numHiddenLayers)
    .uint32(`${prefix}.feed_forward_length`, config.intermediateSize)
    .uint32(`${prefix}.attention.head_count`, config.numAttentionHeads)
    .uint32(`${prefix}.attention.head_count_kv`, config.numKeyValueHeads)
    .uint32(`${prefix}.attention.key_length`, config.headDim)
    .uint32(`${prefix}.attention.value_length`, config.headDim)
    .uint32(`${prefix}.rope.dimension_count`, config.headDim)
    .float32(`${prefix}.rope.freq_base`, config.rope.theta)
    .float32(`${prefix}.attention.layer_norm_rms_epsilon`, config.rmsNormEps);
  if (config.rope.type === 'linear') {
    metadata.string(`${prefix}.rope.scaling.type`, 'linear').float32(`${prefix}.rope.scaling.factor`, config.rope.factor ?? 1);
  }
}
