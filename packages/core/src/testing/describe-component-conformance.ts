import { describe, expect, it } from 'vitest';
import type { ExtensionPoint } from '../plugin/plugin-manifest';
import { createForConformance, type ConformanceOptions } from './conformance-setup';

const METHODS: Record<ExtensionPoint, string> = {
  teacher: 'doGenerate',
  agent: 'doProcess',
  selector: 'doSelect',
  verifier: 'doVerify',
  trainer: 'doTrain',
  evaluator: 'doEvaluate',
  publisher: 'doPublish',
};

function describeShape(kind: 'trainer' | 'evaluator' | 'publisher', options: ConformanceOptions): void {
  describe(`${kind} conformance: ${options.componentId}`, () => {
    it(`is a v1 ${kind} with ${METHODS[kind]}`, async () => {
      const { instance, definition } = await createForConformance(kind, options);
      expect(instance.specificationVersion).toBe('v1');
      expect(instance.componentId).toBe(options.componentId);
      expect(typeof (instance as unknown as Record<string, unknown>)[METHODS[kind]]).toBe('function');
      expect(definition.optionsSchema.safeParse({ __unknownOption: 1 }).success).toBe(false);
    });
  });
}

/**
 * Trainer contract (shape): a v1 trainer whose options schema rejects unknown keys. Training itself
 * is slow; plugins test it with their own small fixtures.
 */
export function describeTrainerConformance(options: ConformanceOptions): void {
  describeShape('trainer', options);
}

/** Evaluator contract (shape): a v1 evaluator whose options schema rejects unknown keys. */
export function describeEvaluatorConformance(options: ConformanceOptions): void {
  describeShape('evaluator', options);
}

/** Publisher contract (shape): a v1 publisher whose options schema rejects unknown keys. */
export function describePublisherConformance(options: ConformanceOptions): void {
  describeShape('publisher', options);
}
