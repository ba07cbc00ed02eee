import { DistillError } from '@easydistill/core';
import type { InstructionKwargs, Relation } from './instruction-checker';

/**
 * Typed readers for instruction kwargs. Every failure names the instruction id and the kwarg, so a
 * malformed `input_data.jsonl` line can be found and fixed.
 */
export class KwargsReader {
  constructor(
    private readonly id: string,
    private readonly kwargs: InstructionKwargs,
  ) {}

  /** Throws the invalid-kwarg error for `name`. */
  fail(name: string, expected: string): never {
    throw new DistillError({
      code: 'INVALID_DATASET',
      message: `IFEval instruction "${this.id}": kwarg "${name}" must be ${expected}, got ${JSON.stringify(this.kwargs[name])}. Fix the kwargs of this instruction in the input data.`,
    });
  }

  integer(name: string): number {
    const value = this.kwargs[name];
    if (typeof value !== 'number' || !Number.isInteger(value)) this.fail(name, 'an integer');
    return value;
  }

  string(name: string): string {
    const value = this.kwargs[name];
    if (typeof value !== 'string') this.fail(name, 'a string');
    return value;
  }

  strings(name: string): string[] {
    const value = this.kwargs[name];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) this.fail(name, 'a list of strings');
    return value as string[];
  }

  relation(name: string): Relation {
    const value = this.kwargs[name];
    if (value !== 'less than' && value !== 'at least') this.fail(name, '"less than" or "at least"');
    return value;
  }
}
