import * as tf from '@tensorflow/tfjs';
import { adamUpdate } from '@easydistill/llm-tfjs';

/** Options of `AdamWOptimizer`. */
export interface AdamWOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  /** Parameters that get no weight decay (biases and norms, by name). */
  noDecay?: (name: string) => boolean;
}

/**
 * AdamW (Loshchilov & Hutter) as PyTorch computes it: decoupled decay p ← p·(1 − lr·wd), then
 * p ← p − lr·m̂ / (√v̂ + ε). Its moments are plain tensors keyed by parameter name, so a checkpoint
 * can save them (`state()`) and a resumed run restore them exactly (`restore()`).
 */
export class AdamWOptimizer {
  private readonly firstMoments = new Map<string, tf.Tensor>();
  private readonly secondMoments = new Map<string, tf.Tensor>();
  /** Updates applied so far. */
  step = 0;

  constructor(private readonly options: AdamWOptions) {}

  /** Applies one update with `gradients` (keyed like `parameters`) at learning rate `learningRate`. */
  apply(parameters: Map<string, tf.Variable>, gradients: Map<string, tf.Tensor>, learningRate: number): void {
    this.step += 1;
    const { beta1, beta2, epsilon, weightDecay } = this.options;
    for (const [name, parameter] of parameters) {
      const gradient = gradients.get(name);
      if (!gradient) continue;
      const decay = this.options.noDecay?.(name) ? 0 : weightDecay;
      const previousFirst = this.firstMoments.get(name) ?? tf.zerosLike(parameter);
      const previousSecond = this.secondMoments.get(name) ?? tf.zerosLike(parameter);
      // One fused pass on wasm/cpu (llm-tfjs's LlmAdamUpdate kernel), composed ops elsewhere.
      const [updated, first, second] = adamUpdate(parameter, previousFirst, previousSecond, gradient, {
        learningRate, beta1, beta2, epsilon, step: this.step, weightDecay: decay,
      });
      if (!this.firstMoments.has(name)) previousFirst.dispose();
      if (!this.secondMoments.has(name)) previousSecond.dispose();
      this.firstMoments.get(name)?.dispose();
      this.secondMoments.get(name)?.dispose();
      this.firstMoments.set(name, first);
      this.secondMoments.set(name, second);
      parameter.assign(updated);
      updated.dispose();
    }
  }

  /** Moments as `<name>.exp_avg` / `<name>.exp_avg_sq` tensors (PyTorch's names), owned by the optimizer. */
  state(): Map<string, tf.Tensor> {
    const state = new Map<string, tf.Tensor>();
    for (const [name, tensor] of this.firstMoments) state.set(`${name}.exp_avg`, tensor);
    for (const [name, tensor] of this.secondMoments) state.set(`${name}.exp_avg_sq`, tensor);
    return state;
  }

  /** Restores moments saved by `state()` and the step count. */
  restore(state: Map<string, tf.Tensor>, step: number): void {
    this.dispose();
    for (const [key, tensor] of state) {
      if (key.endsWith('.exp_avg_sq')) this.secondMoments.set(key.slice(0, -'.exp_avg_sq'.length), tensor);
      else if (key.endsWith('.exp_avg')) this.firstMoments.set(key.slice(0, -'.exp_avg'.length), tensor);
    }
    this.step = step;
  }

  dispose(): void {
    for (const tensor of [...this.firstMoments.values(), ...this.secondMoments.values()]) tensor.dispose();
    this.firstMoments.clear();
    this.secondMoments.clear();
  }
}

/**
 * Scales `gradients` so their global L2 norm is at most `maxNorm` (0 = no clipping); returns the
 * norm before clipping. Replaces the map's tensors (disposing the old ones).
 */
export function clipGradientsByGlobalNorm(gradients: Map<string, tf.Tensor>, maxNorm: number): number {
  const norm = tf.tidy(() => {
    const squares = [...gradients.values()].map((gradient) => tf.sum(tf.square(gradient)));
    return Math.sqrt(tf.addN(squares).dataSync()[0]!);
  });
  if (maxNorm > 0 && norm > maxNorm) {
    const factor = maxNorm / (norm + 1e-6);
    for (const [name, gradient] of gradients) {
      gradients.set(name, tf.mul(gradient, factor));
      gradient.dispose();
    }
  }
  return norm;
}
