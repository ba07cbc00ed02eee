import { LlmError } from '../errors/llm-error';

/** Rotary position embedding parameters, normalised from `rope_parameters` or `rope_theta` + `rope_scaling`. */
export interface RopeConfig {
  readonly theta: number;
  /** `default`, `linear` (positions divided by `factor`) or `llama3` (frequency-dependent scaling). */
  readonly type: 'default' | 'linear' | 'llama3';
  readonly factor?: number;
  readonly lowFreqFactor?: number;
  readonly highFreqFactor?: number;
  readonly originalMaxPositionEmbeddings?: number;
}

/**
 * The architecture of a decoder-only model of the Llama family, normalised from a Hugging Face
 * `config.json` in either the transformers-4 spelling (`rope_theta`, `rope_scaling`,
 * `torch_dtype`) or the transformers-5 one (`rope_parameters`, `dtype`).
 */
export interface ModelConfig {
  /** `model_type` as written (`llama`, `qwen2`, `qwen3`, `mistral`, ...). */
  readonly modelType: string;
  readonly architectures: string[];
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly numKeyValueHeads: number;
  readonly headDim: number;
  readonly rmsNormEps: number;
  readonly rope: RopeConfig;
  readonly maxPositionEmbeddings: number;
  readonly tieWordEmbeddings: boolean;
  /** Bias on q/k/v projections (Qwen2: always; Llama/Qwen3: `attention_bias`). */
  readonly qkvBias: boolean;
  /** Bias on the output projection (Llama/Qwen3 `attention_bias`; never in Qwen2). */
  readonly outputBias: boolean;
  /** Bias on gate/up/down (`mlp_bias`). */
  readonly mlpBias: boolean;
  /** Per-head RMSNorm on queries and keys before RoPE (Qwen3). */
  readonly qkNorm: boolean;
  readonly hiddenAct: 'silu';
  /** The checkpoint's declared dtype (`torch_dtype` or `dtype`), e.g. `bfloat16`. */
  readonly dtype?: string;
  readonly eosTokenIds: number[];
  readonly bosTokenId?: number;
  readonly padTokenId?: number;
  /** The parsed `config.json`, kept so `save` writes back what it did not interpret. */
  readonly raw: Record<string, unknown>;
}

const KNOWN_TYPES = new Set(['llama', 'qwen2', 'qwen3', 'mistral']);

function toIdList(value: unknown): number[] {
  if (value === null || value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((id): id is number => typeof id === 'number');
}

function parseRope(raw: Record<string, unknown>, source: string): RopeConfig {
  const parameters = (raw.rope_parameters ?? raw.rope_scaling ?? {}) as Record<string, unknown>;
  const theta = Number(parameters.rope_theta ?? raw.rope_theta ?? 10000);
  const type = String(parameters.rope_type ?? parameters.type ?? 'default');
  if (type !== 'default' && type !== 'linear' && type !== 'llama3') {
    throw new LlmError('config-unsupported', `${source}: rope type "${type}" is not supported (supported: default, linear, llama3).`);
  }
  return {
    theta,
    type,
    factor: parameters.factor === undefined ? undefined : Number(parameters.factor),
    lowFreqFactor: parameters.low_freq_factor === undefined ? undefined : Number(parameters.low_freq_factor),
    highFreqFactor: parameters.high_freq_factor === undefined ? undefined : Number(parameters.high_freq_factor),
    originalMaxPositionEmbeddings:
      parameters.original_max_position_embeddings === undefined ? undefined : Number(parameters.original_max_position_embeddings),
  };
}

/**
 * Normalises a parsed `config.json`. `source` names the file in error messages. Throws
 * `LlmError` (`config-invalid` / `config-unsupported`) for a missing field or an architecture
 * outside the Llama family.
 */
export function parseModelConfig(raw: Record<string, unknown>, source = 'config.json'): ModelConfig {
  const modelType = String(raw.model_type ?? '');
  if (!KNOWN_TYPES.has(modelType)) {
    throw new LlmError('config-unsupported', `${source}: model_type "${modelType}" is not supported (supported: ${[...KNOWN_TYPES].join(', ')}).`);
  }
  const required = (key: string): number => {
    const value = raw[key];
    if (typeof value !== 'number') throw new LlmError('config-invalid', `${source}: "${key}" must be a number, got ${JSON.stringify(value)}.`);
    return value;
  };
  const hiddenSize = required('hidden_size');
  const numAttentionHeads = required('num_attention_heads');
  const hiddenAct = String(raw.hidden_act ?? 'silu');
  if (hiddenAct !== 'silu') throw new LlmError('config-unsupported', `${source}: hidden_act "${hiddenAct}" is not supported (only silu).`);
  if (raw.use_sliding_window === true) {
    throw new LlmError('config-unsupported', `${source}: use_sliding_window=true is not supported; set it to false.`);
  }
  const attentionBias = raw.attention_bias === true;
  return {
    modelType,
    architectures: (raw.architectures as string[] | undefined) ?? [],
    vocabSize: required('vocab_size'),
    hiddenSize,
    intermediateSize: required('intermediate_size'),
    numHiddenLayers: required('num_hidden_layers'),
    numAttentionHeads,
    numKeyValueHeads: typeof raw.num_key_value_heads === 'number' ? raw.num_key_value_heads : numAttentionHeads,
    headDim: typeof raw.head_dim === 'number' ? raw.head_dim : hiddenSize / numAttentionHeads,
    rmsNormEps: typeof raw.rms_norm_eps === 'number' ? raw.rms_norm_eps : 1e-6,
    rope: parseRope(raw, source),
    maxPositionEmbeddings: typeof raw.max_position_embeddings === 'number' ? raw.max_position_embeddings : 2048,
    tieWordEmbeddings: raw.tie_word_embeddings === true,
    qkvBias: modelType === 'qwen2' ? true : attentionBias,
    outputBias: modelType === 'qwen2' ? false : attentionBias,
    mlpBias: raw.mlp_bias === true,
    qkNorm: modelType === 'qwen3',
    hiddenAct: 'silu',
    dtype: (raw.dtype ?? raw.torch_dtype) as string | undefined,
    eosTokenIds: toIdList(raw.eos_token_id),
    bosTokenId: typeof raw.bos_token_id === 'number' ? raw.bos_token_id : undefined,
    padTokenId: typeof raw.pad_token_id === 'number' ? raw.pad_token_id : undefined,
    raw,
  };
}

/** Lists eos ids from a parsed `generation_config.json` (`eos_token_id`: number or array). */
export function parseGenerationEos(raw: Record<string, unknown>): number[] {
  return toIdList(raw.eos_token_id);
}
