import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DistillError } from '@easydistill/core';
import { GgmlType, LlamaFileType, Q8_0_BLOCK_ELEMENTS, GGML_TYPE_NAMES } from './gguf-constants';
import { GgufMetadata } from './gguf-metadata';
import { writeGgufFile, type GgufTensorPlan } from './gguf-file-writer';
import { encodeTensor } from './ggml-quantize';
import { ggufArchitecture, llama3RopeFactors, mapTensorName, permuteRows, writeArchitectureMetadata, type GgufArchitecture } from './gguf-architecture';
import { writeTokenizerMetadata } from './gguf-tokenizer';

/** Tensor encodings of the exported file: llama.cpp's `--outtype`. */
export type GgufOutType = 'f32' | 'f16' | 'q8_0';
export const GGUF_OUT_TYPES: readonly GgufOutType[] = ['f32', 'f16', 'q8_0'];

export interface ExportGgufOptions {
  /** A Hugging Face model folder (config.json, safetensors weights, tokenizer.json). */
  modelDir: string;
  /** The `.gguf` file to write (replaced atomically). */
  outputPath: string;
  outType: GgufOutType;
  /** `general.name`; defaults to the folder's name. */
  name?: string;
  /** llama.cpp's pre-tokenizer name, when the tokenizer's regex is not recognised. */
  preTokenizer?: string;
  /** Called after each tensor is written. */
  onTensor?(done: number, total: number, name: string): void;
}

export interface ExportGgufResult {
  path: string;
  bytes: number;
  architecture: GgufArchitecture;
  outType: GgufOutType;
  /** Number of tensors written per ggml type (`f32`, `f16`, `q8_0`). */
  tensorTypes: Record<string, number>;
}

const FILE_TYPES: Record<GgufOutType, number> = { f32: LlamaFileType.ALL_F32, f16: LlamaFileType.MOSTLY_F16, q8_0: LlamaFileType.MOSTLY_Q8_0 };

/**
 * The type `convert_hf_to_gguf.py` gives a tensor: 1-D tensors and norms stay F32; other weights
 * take the output type, except that Q8_0 falls back to F16 for rows not a multiple of 32.
 */
export function chooseTensorType(ggufName: string, shape: readonly number[], outType: GgufOutType): GgmlType {
  if (shape.length <= 1 || ggufName.endsWith('_norm.weight')) return GgmlType.F32;
  if (outType === 'f32') return GgmlType.F32;
  if (outType === 'f16') return GgmlType.F16;
  return shape[shape.length - 1] % Q8_0_BLOCK_ELEMENTS === 0 ? GgmlType.Q8_0 : GgmlType.F16;
}

/**
 * Converts a Llama / Qwen2 / Qwen3 Hugging Face checkpoint to one GGUF file that llama.cpp (and so
 * Ollama, LM Studio, node-llama-cpp) loads: llama.cpp's tensor names and metadata, Llama's q/k
 * rows permuted for llama.cpp's rope, the byte-level BPE tokenizer and chat template. Tensors are
 * read, converted and written one at a time. Throws `DistillError` (`INVALID_MODEL`) for a
 * checkpoint llama.cpp could not load, naming the file and what to change.
 */
export async function exportGguf(options: ExportGgufOptions): Promise<ExportGgufResult> {
  if (!GGUF_OUT_TYPES.includes(options.outType)) {
    throw new DistillError({ code: 'USAGE', message: `GGUF outType "${options.outType}" is not supported; use one of ${GGUF_OUT_TYPES.join(', ')}.` });
  }
  // llm-tfjs pulls in TensorFlow.js; load it only when exporting.
  const { SafetensorsFolder, parseModelConfig } = await import('@easydistill/llm-tfjs');
  const configPath = join(options.modelDir, 'config.json');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new DistillError({ code: 'INVALID_MODEL', message: `Cannot read ${configPath}: ${(error as Error).message}. Pass a Hugging Face model folder.`, cause: error });
  }
  let config;
  try {
    config = parseModelConfig(raw, configPath);
  } catch (error) {
    throw new DistillError({ code: 'INVALID_MODEL', message: (error as Error).message, cause: error });
  }
  const architecture = ggufArchitecture(config, configPath);
  if (config.rope.type === 'llama3' && architecture !== 'llama') {
    throw new DistillError({ code: 'INVALID_MODEL', message: `${configPath}: rope type llama3 is only exported for llama models.` });
  }

  const weights = await SafetensorsFolder.open(options.modelDir);
  try {
    const tied = !weights.has('lm_head.weight');
    const metadata = new GgufMetadata()
      .string('general.architecture', architecture)
      .string('general.type', 'model')
      .string('general.name', options.name ?? basename(options.modelDir))
      .uint32('general.file_type', FILE_TYPES[options.outType])
      .uint32('general.quantization_version', 2);
    writeArchitectureMetadata(metadata, architecture, config);
    await writeTokenizerMetadata(metadata, options.modelDir, config, { preTokenizer: options.preTokenizer });

    const plans: GgufTensorPlan[] = [];
    if (config.rope.type === 'llama3') {
      const factors = llama3RopeFactors(config);
      plans.push({ name: 'rope_freqs.weight', shape: [factors.length], type: GgmlType.F32, data: () => encodeTensor(factors, GgmlType.F32) });
    }
    for (const name of weights.names()) {
      const mapping = mapTensorName(name, architecture, config, tied);
      if (!mapping) continue;
      const shape = weights.entry(name)!.shape;
      const type = chooseTensorType(mapping.name, shape, options.outType);
      plans.push({
        name: mapping.name,
        shape,
        type,
        data: async () => {
          const tensor = await weights.read(name);
          let values = tensor.data as Float32Array;
          if (mapping.permuteHeads !== undefined) {
            values = permuteRows(values, shape[0], shape.length > 1 ? shape[1] : 1, mapping.permuteHeads);
          }
          return encodeTensor(values, type);
        },
      });
    }
    if (!plans.some((plan) => plan.name === 'token_embd.weight')) {
      throw new DistillError({ code: 'INVALID_MODEL', message: `${options.modelDir}: the weights have no model.embed_tokens.weight; is this a causal LM saved by transformers?` });
    }
    const bytes = await writeGgufFile(options.outputPath, metadata, plans, (index, name) => options.onTensor?.(index + 1, plans.length, name));
    const tensorTypes: Record<string, number> = {};
    for (const plan of plans) tensorTypes[GGML_TYPE_NAMES[plan.type]] = (tensorTypes[GGML_TYPE_NAMES[plan.type]] ?? 0) + 1;
    await stat(options.outputPath);
    return { path: options.outputPath, bytes, architecture, outType: options.outType, tensorTypes };
  } finally {
    await weights.close();
  }
}
