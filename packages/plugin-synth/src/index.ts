import { definePlugin } from '@easydistill/core';
import packageJson from '../package.json';
import { cotAgentDefinition } from './agents/cot-agent';
import { dpoPairsAgentDefinition } from './agents/dpo-pairs-agent';
import { expandAgentDefinition } from './agents/expand-agent';
import { extractAgentDefinition } from './agents/extract-agent';
import { respondAgentDefinition } from './agents/respond-agent';
import { rewriteAgentDefinition } from './agents/rewrite-agent';
import { balanceSelectorDefinition } from './selectors/balance-selector';
import { decontaminateSelectorDefinition } from './selectors/decontaminate-selector';
import { dedupSelectorDefinition } from './selectors/dedup-selector';
import { difficultySelectorDefinition } from './selectors/difficulty-selector';
import { judgeScoreSelectorDefinition } from './selectors/judge-score-selector';
import { minhashSelectorDefinition } from './selectors/minhash-selector';
import { preferencesCommand } from './preference/preferences-command';
import { judgeVerifierDefinition } from './verifiers/judge-verifier';
import { mathAnswerVerifierDefinition } from './verifiers/math-answer-verifier';
import { rulesVerifierDefinition } from './verifiers/rules-verifier';
import { selfConsistencyVerifierDefinition } from './verifiers/self-consistency-verifier';

/** `@easydistill/plugin-synth`: data-synthesis agents, selectors and verifiers under the `synth/` namespace. */
export default definePlugin({
  name: packageJson.name,
  version: packageJson.version,
  apiVersion: 1,
  namespace: 'synth',
  provides: [
    expandAgentDefinition,
    rewriteAgentDefinition,
    cotAgentDefinition,
    respondAgentDefinition,
    extractAgentDefinition,
    dpoPairsAgentDefinition,
    dedupSelectorDefinition,
    minhashSelectorDefinition,
    judgeScoreSelectorDefinition,
    difficultySelectorDefinition,
    balanceSelectorDefinition,
    decontaminateSelectorDefinition,
    judgeVerifierDefinition,
    rulesVerifierDefinition,
    mathAnswerVerifierDefinition,
    selfConsistencyVerifierDefinition,
  ],
  commands: [preferencesCommand],
});

export { ExpandAgent, type ExpandAgentOptions } from './agents/expand-agent';
export { RewriteAgent, type RewriteAgentOptions } from './agents/rewrite-agent';
export { CotAgent, type CotAgentOptions } from './agents/cot-agent';
export { RespondAgent, type RespondAgentOptions } from './agents/respond-agent';
export { ExtractAgent, type ExtractAgentOptions } from './agents/extract-agent';
export { DpoPairsAgent, type DpoPairsAgentOptions } from './agents/dpo-pairs-agent';
export { DedupSelector, type DedupSelectorOptions } from './selectors/dedup-selector';
export { MinhashSelector, type MinhashSelectorOptions } from './selectors/minhash-selector';
export { MinHashIndex, type MinHashIndexOptions } from './selectors/minhash-index';
export { JudgeScoreSelector, type JudgeScoreSelectorOptions } from './selectors/judge-score-selector';
export { DifficultySelector, type DifficultySelectorOptions } from './selectors/difficulty-selector';
export { BalanceSelector, type BalanceSelectorOptions } from './selectors/balance-selector';
export { DISTILQWEN2_DISTRIBUTION } from './selectors/balance-categories';
export { DecontaminateSelector, type DecontaminateSelectorOptions } from './selectors/decontaminate-selector';
export { gramDigest } from './selectors/hashed-ngrams';
export { JudgeVerifier, type JudgeVerifierOptions } from './verifiers/judge-verifier';
export { RulesVerifier, type RulesVerifierOptions } from './verifiers/rules-verifier';
export { MathAnswerVerifier, type MathAnswerVerifierOptions } from './verifiers/math-answer-verifier';
export { SelfConsistencyVerifier, type SelfConsistencyVerifierOptions } from './verifiers/self-consistency-verifier';
export { preferencesCommand } from './preference/preferences-command';
export { toPreferenceRecord, writePreferenceJsonl, type PreferenceFormat } from './preference/preference-formats';
export { answersEquivalent, extractFinalAnswer } from './shared/math-answer';
