import type { ModelConfig } from '../config/model-config';

/** Hugging Face names of one decoder layer's parameters (`model.layers.{i}.…`). */
export interface LayerParameterNames {
  readonly inputNorm: string;
  readonly q: string;
  readonly k: string;
  readonly v: string;
  readonly o: string;
  readonly qBias?: string;
  readonly kBias?: string;
  readonly vBias?: string;
  readonly oBias?: string;
  readonly qNorm?: string;
  readonly kNorm?: string;
  readonly postNorm: string;
  readonly gate: string;
  readonly up: string;
  readonly down: string;
  readonly gateBias?: string;
  readonly upBias?: string;
  readonly downBias?: string;
}

/** Every parameter name of a model, in the order transformers' state dict lists them. */
export interface ParameterNames {
  readonly embed: string;
  readonly layers: LayerParameterNames[];
  readonly norm: string;
  /** Absent when the embeddings are tied. */
  readonly lmHead?: string;
}

/** Builds the parameter names the config implies (biases, q/k norms, untied head). */
export function parameterNames(config: ModelConfig): ParameterNames {
  const layers: LayerParameterNames[] = [];
  for (let index = 0; index < config.numHiddenLayers; index += 1) {
    const prefix = `model.layers.${index}`;
    const attention = `${prefix}.self_attn`;
    const mlp = `${prefix}.mlp`;
    layers.push({
      inputNorm: `${prefix}.input_layernorm.weight`,
      q: `${attention}.q_proj.weight`,
      k: `${attention}.k_proj.weight`,
      v: `${attention}.v_proj.weight`,
      o: `${attention}.o_proj.weight`,
      ...(config.qkvBias
        ? { qBias: `${attention}.q_proj.bias`, kBias: `${attention}.k_proj.bias`, vBias: `${attention}.v_proj.bias` }
        : {}),
      ...(config.outputBias ? { oBias: `${attention}.o_proj.bias` } : {}),
      ...(config.qkNorm ? { qNorm: `${attention}.q_norm.weight`, kNorm: `${attention}.k_norm.weight` } : {}),
      postNorm: `${prefix}.post_attention_layernorm.weight`,
      gate: `${mlp}.gate_proj.weight`,
      up: `${mlp}.up_proj.weight`,
      down: `${mlp}.down_proj.weight`,
      ...(config.mlpBias ? { gateBias: `${mlp}.gate_proj.bias`, upBias: `${mlp}.up_proj.bias`, downBias: `${mlp}.down_proj.bias` } : {}),
    });
  }
  return {
    embed: 'model.embed_tokens.weight',
    layers,
    norm: 'model.norm.weight',
    ...(config.tieWordEmbeddings ? {} : { lmHead: 'lm_head.weight' }),
  };
}

/** Expected shape of every parameter, keyed by name, in state-dict order. */
export function parameterShapes(config: ModelConfig): Map<string, number[]> {
  const names = parameterNames(config);
  const hidden = config.hiddenSize;
  const qSize = config.numAttentionHeads * config.headDim;
  const kvSize = config.numKeyValueHeads * config.headDim;
  const shapes = new Map<string, number[]>([[names.embed, [config.vocabSize, hidden]]]);
  for (const layer of names.layers) {
    const entries: [string | undefined, number[]][] = [
      [layer.inputNorm, [hidden]],
      [layer.q, [qSize, hidden]],
      [layer.qBias, [qSize]],
      [layer.k, [kvSize, hidden]],
      [layer.kBias, [kvSize]],
      [layer.v, [kvSize, hidden]],
      [layer.vBias, [kvSize]],
      [layer.o, [hidden, qSize]],
      [layer.oBias, [hidden]],
      [layer.qNorm, [config.headDim]],
      [layer.kNorm, [config.headDim]],
      [layer.postNorm, [hidden]],
      [layer.gate, [config.intermediateSize, hidden]],
      [layer.gateBias, [config.intermediateSize]],
      [layer.up, [config.intermediateSize, hidden]],
      [layer.upBias, [config.intermediateSize]],
      [layer.down, [hidden, config.intermediateSize]],
      [layer.downBias, [hidden]],
    ];
    for (const [name, shape] of entries) if (name) shapes.set(name, shape);
  }
  shapes.set(names.norm, [hidden]);
  if (names.lmHead) shapes.set(names.lmHead, [config.vocabSize, hidden]);
  return shapes;
}
