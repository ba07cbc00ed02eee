import { z } from 'zod';

/** A teacher reference: a component named under the recipe's `components`, or a model folder / stage output. */
export const teacherReference = z.string().min(1);

/** Path of a prompt template overriding the package default; relative to the recipe folder. */
export const promptPath = z.string().min(1).optional();

export function temperatureOption(defaultValue: number) {
  return z.number().min(0).max(2).default(defaultValue);
}

export function maxTokensOption(defaultValue: number) {
  return z.number().int().positive().default(defaultValue);
}

/** Judge calls in flight at once in a selector. */
export const concurrencyOption = z.number().int().min(1).max(256).default(8);
