import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseModelConfig, type ModelConfig } from '../config/model-config';
import { LlmError } from '../errors/llm-error';
import { registerTrainingKernels } from '../kernels/training-kernels';
import { resolveModelDir, type ResolveOptions } from '../hub/resolve-model-dir';
import { SafetensorsFolder } from '../safetensors/safetensors-folder';
import { writeSafetensorsFolder, type SaveDtype } from '../safetensors/write-safetensors';
import { decoderHidden, type DecoderContext } from './decoder';
import type { KVCache } from './kv-cache';
import { parameterNames, parameterShapes, type ParameterNames } from './parameter-names';
import { ropeInverseFrequencies } from './rope';
import { readJsonFile } from '../util/read-json-file';

/** Options of `forward` and `hidden`. */
export interface ForwardOptions {
  /** 1/0 `[batch, length]`; right or left padding. With a cache, the mask of the new tokens only. */
  attentionMask?: tf.Tensor2D;
  /** Keys/values of earlier tokens; the call appends the new ones. */
  cache?: KVCache;
}

/** Options of `CausalLM.load`. */
export interface LoadOptions extends ResolveOptions {
  /** Compute dtype; weights stored in bf16/f16 are widened. Only float32 is supported. */
  dtype?: 'float32';
}

/** Options of `CausalLM.save`. */
export interface SaveOptions {
  /** Storage dtype of the weights (default float32). */
  dtype?: SaveDtype;
  /** Shard the weights past this many bytes (default 5 GiB, like transformers). */
  maxShardBytes?: number;
}

let instances = 0;

/**
 * A decoder-only causal language model of the Llama family (Llama, Qwen2, Qwen3, Mistral)
 * whose parameters are TensorFlow.js variables named as in `model.safetensors`, so
 * `tf.variableGrads` and optimisers train it directly. Outputs match transformers in float32.
 */
export class CausalLM {
  private readonly context: DecoderContext;
  private readonly prefix: string;
  private disposed = false;

  private constructor(
    readonly config: ModelConfig,
    private readonly parameters: Map<string, tf.Variable>,
    /** The folder it was loaded from, when it was. */
    readonly dir?: string,
  ) {
    registerTrainingKernels();
    instances += 1;
    this.prefix = `causal-lm-${instances}/`;
    const names = parameterNames(config);
    this.context = {
      config,
      names,
      inverseFrequencies: ropeInverseFrequencies(config.rope, config.headDim),
      parameter: (name) => {
        const variable = parameters.get(name);
        if (!variable) throw new LlmError('tensor-not-found', `Parameter "${name}" is missing.`);
        return variable;
      },
    };
  }

  /**
   * Loads a Hugging Face model folder (or Hub id, downloaded into the cache first):
   * `config.json` plus `model.safetensors` or sharded weights. Throws `LlmError` naming the
   * file for a missing or mismatched tensor.
   */
  static async load(pathOrHubId: string, options: LoadOptions = {}): Promise<CausalLM> {
    if (options.dtype && options.dtype !== 'float32') {
      throw new LlmError('option-invalid', `CausalLM.load: options.dtype "${options.dtype}" is not supported; use "float32".`);
    }
    const dir = await resolveModelDir(pathOrHubId, options);
    const configPath = join(dir, 'config.json');
    if (!existsSync(configPath)) throw new LlmError('config-not-found', `${dir} has no config.json; is it a Hugging Face model folder?`);
    const raw = await readJsonFile(configPath);
    let config = parseModelConfig(raw, configPath);
    const weights = await SafetensorsFolder.open(dir);
    if (!config.tieWordEmbeddings && !weights.has('lm_head.weight')) config = { ...config, tieWordEmbeddings: true };
    const parameters = new Map<string, tf.Variable>();
    const model = new CausalLM(config, parameters, dir);
    try {
      for (const [name, shape] of parameterShapes(config)) {
        if (!weights.has(name)) {
          throw new LlmError('tensor-not-found', `${dir}: the weights have no tensor "${name}", which config.json (model_type ${config.modelType}) requires.`);
        }
        const tensor = await weights.read(name);
        if (tensor.shape.join(',') !== shape.join(',')) {
          throw new LlmError('tensor-shape-mismatch', `${dir}: tensor "${name}" has shape [${tensor.shape}], config.json implies [${shape}].`);
        }
        parameters.set(name, model.makeVariable(name, tf.tensor(tensor.data as Float32Array, shape, 'float32')));
      }
    } catch (error) {
      model.dispose();
      throw error;
    } finally {
      await weights.close();
    }
    return model;
  }

  /**
   * A randomly initialised model (normal with `std`, default 0.02; norms 1; biases 0), for
   * benchmarks and tests. `seed` makes it reproducible.
   */
  static fromConfig(config: ModelConfig, options: { seed?: number; std?: number } = {}): CausalLM {
    const parameters = new Map<string, tf.Variable>();
    const model = new CausalLM(config, parameters);
    let seed = options.seed ?? 0;
    for (const [name, shape] of parameterShapes(config)) {
      const initial = name.endsWith('norm.weight')
        ? tf.ones(shape)
        : name.endsWith('.bias')
          ? tf.zeros(shape)
          : tf.randomNormal(shape, 0, options.std ?? 0.02, 'float32', (seed += 1));
      parameters.set(name, model.makeVariable(name, initial));
    }
    return model;
  }

  private makeVariable(name: string, initial: tf.Tensor): tf.Variable {
    const variable = tf.variable(initial, true, `${this.prefix}${name}`);
    initial.dispose();
    return variable;
  }

  private assertLive(): void {
    if (this.disposed) throw new LlmError('model-disposed', 'This CausalLM was disposed.');
  }

  /** Names of the parameters, in state-dict order. */
  get parameterNames(): ParameterNames {
    return this.context.names;
  }

  private maskValues(inputIds: tf.Tensor2D, options: ForwardOptions): ArrayLike<number> | null {
    if (!options.attentionMask) return null;
    if (options.attentionMask.shape.join(',') !== inputIds.shape.join(',')) {
      throw new LlmError('option-invalid', `forward: options.attentionMask has shape [${options.attentionMask.shape}], inputIds [${inputIds.shape}]; they must match.`);
    }
    return options.attentionMask.dataSync();
  }

  /** Final normed hidden states `[batch, length, hidden]` (feed to `lmHead()` in chunks for large vocabularies). */
  hidden(inputIds: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
    this.assertLive();
    return decoderHidden(this.context, inputIds, this.maskValues(inputIds, options), options.cache);
  }

  /** Logits `[batch, length, vocab]`. */
  forward(inputIds: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
    const hidden = this.hidden(inputIds, options);
    return tf.tidy(() => {
      const [batch, length, size] = hidden.shape;
      const logits = tf.matMul(tf.reshape(hidden, [batch * length, size]) as tf.Tensor2D, this.lmHead(), false, true);
      hidden.dispose();
      return tf.reshape(logits, [batch, length, this.config.vocabSize]) as tf.Tensor3D;
    });
  }

  /** The LM-head matrix `[vocab, hidden]` (the embedding matrix when tied). Owned by the model: do not dispose. */
  lmHead(): tf.Tensor2D {
    const names = this.context.names;
    return this.context.parameter(names.lmHead ?? names.embed) as tf.Tensor2D;
  }

  /** Parameters keyed by their `model.safetensors` names, in state-dict order. */
  namedParameters(): Map<string, tf.Variable> {
    return new Map(this.parameters);
  }

  /** All parameters (tf variable names are `causal-lm-N/<safetensors name>`; see `parameterName`). */
  trainableVariables(): tf.Variable[] {
    return [...this.parameters.values()];
  }

  /** The `model.safetensors` name of a variable of this model (accepts the variable or its tf name). */
  parameterName(variable: tf.Variable | string): string {
    const name = typeof variable === 'string' ? variable : variable.name;
    return name.startsWith(this.prefix) ? name.slice(this.prefix.length) : name;
  }

  /**
   * Writes a folder transformers and this package both load: `config.json` (the original with
   * its dtype field updated), `generation_config.json` when the source folder had one, and the
   * weights (sharded with an index past `maxShardBytes`).
   */
  async save(dir: string, options: SaveOptions = {}): Promise<void> {
    this.assertLive();
    const dtype = options.dtype ?? 'float32';
    await mkdir(dir, { recursive: true });
    const raw: Record<string, unknown> = { ...this.config.raw };
    if ('torch_dtype' in raw && !('dtype' in raw)) raw.torch_dtype = dtype;
    else raw.dtype = dtype;
    raw.tie_word_embeddings = this.config.tieWordEmbeddings;
    await writeFile(join(dir, 'config.json'), `${JSON.stringify(raw, null, 2)}\n`);
    if (this.dir && this.dir !== dir && existsSync(join(this.dir, 'generation_config.json'))) {
      await copyFile(join(this.dir, 'generation_config.json'), join(dir, 'generation_config.json'));
    }
    const sources = [...this.parameters.entries()].map(([name, variable]) => ({
      name,
      shape: variable.shape,
      read: async () => (await variable.data()) as Float32Array,
    }));
    await writeSafetensorsFolder(dir, sources, { dtype, maxShardBytes: options.maxShardBytes });
  }

  /** Releases every parameter. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const variable of this.parameters.values()) variable.dispose();
    this.parameters.clear();
  }
}
