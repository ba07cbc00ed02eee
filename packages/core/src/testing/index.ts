export { createScriptedTeacher, scriptedTokenId, scriptedTokens, type ScriptedTeacher, type ScriptedTeacherOptions } from './create-scripted-teacher';
export { createTestContext, type TestContext, type TestContextOptions } from './create-test-context';
export { SAMPLE_ROWS, type ConformanceOptions } from './conformance-setup';
export { describeTeacherConformance } from './describe-teacher-conformance';
export { describeAgentConformance } from './describe-agent-conformance';
export { describeVerifierConformance } from './describe-verifier-conformance';
export { describeSelectorConformance } from './describe-selector-conformance';
export {
  describeEvaluatorConformance,
  describePublisherConformance,
  describeTrainerConformance,
  type EvaluatorConformanceOptions,
  type PublisherConformanceOptions,
  type TrainerConformanceOptions,
} from './describe-component-conformance';
export { createTestDataset } from './create-test-dataset';
