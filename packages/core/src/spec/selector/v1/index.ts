export type { SelectorV1, SelectorV1Decision } from './selector-v1';
