export type { VerifierV1, VerifierV1Verdict } from './verifier-v1';
