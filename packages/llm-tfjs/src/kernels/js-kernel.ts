import * as tf from '@tensorflow/tfjs';

/**
 * A float32 kernel written once in JavaScript and registered for both the `wasm` backend (reading
 * and writing the wasm heap directly) and the `cpu` backend (plain typed arrays).
 */
export interface JsKernelSpec<Attrs> {
  kernelName: string;
  /** Input names, in the order `run` receives them. */
  inputs: readonly string[];
  /** Checks the inputs (throwing a TypeError naming the kernel) and returns the output shapes. */
  outputShapes(inputs: readonly tf.TensorInfo[], attrs: Attrs): number[][];
  /** Computes the outputs (fresh, uninitialised arrays) from the inputs. */
  run(inputs: readonly Float32Array[], outputs: readonly Float32Array[], shapes: readonly number[][], attrs: Attrs): void;
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

interface CpuBackendLike {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
}

/** Throws unless every input is float32. */
export function expectFloat32(kernelName: string, inputs: readonly tf.TensorInfo[], names: readonly string[]): void {
  inputs.forEach((info, index) => {
    if (info.dtype !== 'float32') throw new TypeError(`${kernelName}: ${names[index]} must be float32; got ${info.dtype} [${info.shape}].`);
  });
}

/** The wasm and cpu kernel configs of `spec`. */
export function jsKernels<Attrs>(spec: JsKernelSpec<Attrs>): tf.KernelConfig[] {
  const collect = (inputs: tf.NamedTensorInfoMap) => spec.inputs.map((name) => inputs[name] as tf.TensorInfo);
  const wasm: tf.KernelConfig = {
    kernelName: spec.kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const heap = backend as unknown as WasmBackendLike;
      const infos = collect(inputs);
      const shapes = spec.outputShapes(infos, attrs as unknown as Attrs);
      const outputs = shapes.map((shape) => heap.makeOutput(shape, 'float32'));
      // Views after the allocations: growing the wasm memory detaches earlier ones.
      const view = (info: tf.TensorInfo) => heap.typedArrayFromHeap(info) as Float32Array;
      spec.run(infos.map(view), outputs.map(view), shapes, attrs as unknown as Attrs);
      return outputs.length === 1 ? outputs[0] : outputs;
    },
  };
  const cpu: tf.KernelConfig = {
    kernelName: spec.kernelName,
    backendName: 'cpu',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const plain = backend as unknown as CpuBackendLike;
      const infos = collect(inputs);
      const shapes = spec.outputShapes(infos, attrs as unknown as Attrs);
      const outputs = shapes.map((shape) => new Float32Array(tf.util.sizeFromShape(shape)));
      spec.run(infos.map((info) => plain.readSync(info.dataId) as Float32Array), outputs, shapes, attrs as unknown as Attrs);
      const made = outputs.map((values, index) => plain.makeTensorInfo(shapes[index], 'float32', values));
      return made.length === 1 ? made[0] : made;
    },
  };
  return [wasm, cpu];
}
