import { GgufValueType } from './gguf-constants';

/** One metadata key/value pair as stored in a GGUF header. */
export interface GgufMetadataEntry {
  key: string;
  type: GgufValueType;
  /** For arrays: the element type. */
  itemType?: GgufValueType;
  value: number | bigint | boolean | string | readonly number[] | readonly string[];
}

/**
 * Ordered GGUF metadata, built with typed setters so every key gets the value type llama.cpp's
 * loader expects (`uint32` for counts, `float32` for rope base and epsilon, ...). Setting a key
 * twice replaces it in place.
 */
export class GgufMetadata {
  private readonly entries = new Map<string, GgufMetadataEntry>();

  private set(entry: GgufMetadataEntry): this {
    this.entries.set(entry.key, entry);
    return this;
  }

  uint32(key: string, value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`GGUF key ${key}: ${value} is not a uint32.`);
    return this.set({ key, type: GgufValueType.UINT32, value });
  }

  int32(key: string, value: number): this {
    return this.set({ key, type: GgufValueType.INT32, value });
  }

  uint64(key: string, value: number | bigint): this {
    return this.set({ key, type: GgufValueType.UINT64, value: BigInt(value) });
  }

  float32(key: string, value: number): this {
    return this.set({ key, type: GgufValueType.FLOAT32, value });
  }

  bool(key: string, value: boolean): this {
    return this.set({ key, type: GgufValueType.BOOL, value });
  }

  string(key: string, value: string): this {
    return this.set({ key, type: GgufValueType.STRING, value });
  }

  stringArray(key: string, value: readonly string[]): this {
    return this.set({ key, type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value });
  }

  int32Array(key: string, value: readonly number[]): this {
    return this.set({ key, type: GgufValueType.ARRAY, itemType: GgufValueType.INT32, value });
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): GgufMetadataEntry['value'] | undefined {
    return this.entries.get(key)?.value;
  }

  /** Entries in insertion order. */
  list(): GgufMetadataEntry[] {
    return [...this.entries.values()];
  }
}
