export { divergence, divergenceGradient, type DivergenceKind, type DivergenceOptions } from './divergence';
export { teacherBucketLogProbs, studentBucketLogProbs, gatherRows, type TopKMode } from './teacher-buckets';
export { distributionLoss, topKLoss, crossEntropy, mixLosses, type DistributionLossOptions, type TopKLossOptions } from './distillation-losses';
export { dpoSigmoidLoss, dpoMargin, type PairLogProbs } from './dpo-loss';
export { chunkedLmHeadLoss, type ChunkedHeadOptions, type HeadTargets, type HeadTeacherTargets } from './chunked-lm-head-loss';
