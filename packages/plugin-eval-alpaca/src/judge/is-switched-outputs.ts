import { PythonRandom } from './python-random';

/**
 * The official per-instruction order switch of alpaca_eval's `RandomSwitchTwoColumnsProcessor`:
 * `random.Random("is_switched_outputs" + instruction + str(seed)).choices([False, True])[0]`.
 * When true the judge sees the model's output as `m` (output_1) and the baseline as `M`.
 * The official annotators use seed 0.
 */
export function isSwitchedOutputs(instruction: string, seed = 0): boolean {
  return new PythonRandom(`is_switched_outputs${instruction}${seed}`).choice([false, true]);
}
