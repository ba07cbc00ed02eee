/**
 * A minimal WebAssembly binary encoder for the package's hand-written kernels: one function that
 * imports `env.memory` (tfjs-backend-wasm's own memory, shared in the threaded build) and is
 * exported under one name. No build step and no binary file in the package.
 */

export const leb = (value: number): number[] => {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    const byte = rest & 0x7f;
    rest >>>= 7;
    bytes.push(rest === 0 ? byte : byte | 0x80);
  } while (rest !== 0);
  return bytes;
};
export const vector = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
export const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
export const name = (text: string): number[] => [...leb(text.length), ...Array.from(text, (char) => char.charCodeAt(0))];

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export const get = (index: number): number[] => [0x20, index];
export const set = (index: number): number[] => [0x21, index];
export const simd = (opcode: number): number[] => [0xfd, ...leb(opcode)];

/** Signed LEB128, as `i32.const` takes its operand. */
export const sleb = (value: number): number[] => {
  const bytes: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
};
/** `i32.const value` */
export const i32Const = (value: number): number[] => [0x41, ...sleb(value)];
/** `block loop (br_if 1 when counter >= limit, unsigned) …inner… counter += step; br 0 end end`; `limit` is code that pushes the bound. */
export const loop = (counter: number, limit: number[], step: number, inner: number[]): number[] => [
  0x02, 0x40, 0x03, 0x40,
  ...get(counter), ...limit, 0x4f, 0x0d, 1,
  ...inner,
  ...get(counter), ...i32Const(step), 0x6a, ...set(counter),
  0x0c, 0, 0x0b, 0x0b,
];

/** `(import "env" "memory" (memory …))`, shared or not, as tfjs-wasm's memory is. */
export function memoryImport(shared: boolean): number[] {
  const limits = shared ? [0x03, ...leb(1), ...leb(65536)] : [0x00, ...leb(1)];
  return [...name('env'), ...name('memory'), 0x02, ...limits];
}

/** A module with one exported function `exportName(params) → ()` whose code is `body` (locals included). */
export function wasmModuleBytes(shared: boolean, exportName: string, params: number[], body: number[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([[0x60, ...vector(params.map((type) => [type])), 0]])),
    ...section(2, vector([memoryImport(shared)])),
    ...section(3, vector([[0]])),
    ...section(7, vector([[...name(exportName), 0x00, 0]])),
    ...section(10, vector([[...leb(body.length), ...body]])),
  ]);
}

const instances = new WeakMap<WebAssembly.Memory, Map<string, ((...args: number[]) => void) | null>>();

/** The function of `bytes(shared)` bound to `memory`, or null where it cannot be instantiated (no SIMD, no memory). */
export function instantiateOn(memory: WebAssembly.Memory | undefined, key: string, bytes: (shared: boolean) => Uint8Array<ArrayBuffer>): ((...args: number[]) => void) | null {
  if (!memory) return null;
  let byKey = instances.get(memory);
  if (!byKey) {
    byKey = new Map();
    instances.set(memory, byKey);
  }
  if (byKey.has(key)) return byKey.get(key)!;
  let fn: ((...args: number[]) => void) | null = null;
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes(shared)), { env: { memory } });
    fn = instance.exports[key] as (...args: number[]) => void;
  } catch {
    fn = null;
  }
  byKey.set(key, fn);
  return fn;
}
