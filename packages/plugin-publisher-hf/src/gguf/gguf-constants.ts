/**
 * Numeric codes of the GGUF file format (version 3) and of the ggml tensor types it stores, as
 * defined by ggml's `gguf.h` / `ggml.h` and gguf-py's `constants.py`.
 */

/** "GGUF" read as a little-endian uint32. */
export const GGUF_MAGIC = 0x46554747;
export const GGUF_VERSION = 3;
/** Default alignment of the tensor data section and of each tensor in it (`general.alignment`). */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Types of metadata values. */
export const GgufValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;
export type GgufValueType = (typeof GgufValueType)[keyof typeof GgufValueType];

/** The ggml tensor types this package writes. */
export const GgmlType = {
  F32: 0,
  F16: 1,
  Q8_0: 8,
} as const;
export type GgmlType = (typeof GgmlType)[keyof typeof GgmlType];

/** `general.file_type` (llama.cpp's `llama_ftype`). */
export const LlamaFileType = {
  ALL_F32: 0,
  MOSTLY_F16: 1,
  MOSTLY_Q8_0: 7,
} as const;

/** `tokenizer.ggml.token_type` values (llama.cpp's `llama_token_type`). */
export const TokenType = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const;

/** Elements per quantisation block of Q8_0, and its bytes (f16 scale + 32 int8). */
export const Q8_0_BLOCK_ELEMENTS = 32;
export const Q8_0_BLOCK_BYTES = 34;

/** Bytes a tensor of `elements` values takes in `type`; Q8_0 needs a multiple of 32 elements per row. */
export function ggmlTensorBytes(type: GgmlType, elements: number): number {
  switch (type) {
    case GgmlType.F32:
      return elements * 4;
    case GgmlType.F16:
      return elements * 2;
    case GgmlType.Q8_0:
      return (elements / Q8_0_BLOCK_ELEMENTS) * Q8_0_BLOCK_BYTES;
  }
}

/** The names llama.cpp prints for the types (`ggml_type_name`). */
export const GGML_TYPE_NAMES: Record<GgmlType, string> = { 0: 'f32', 1: 'f16', 8: 'q8_0' };
