import type { RowV1 } from '../../shared/v1/row-v1';

/** What a selector decided about one row; dropped rows go to the rejected file with `reason`. */
export interface SelectorV1Decision {
  row: RowV1;
  keep: boolean;
  reason?: string;
}

/**
 * A selector keeps, drops or reorders rows: exact and near dedup, LLM-judge quality scores,
 * difficulty and verbosity curricula, category balancing, decontamination.
 *
 * It sees the whole input as a stream and yields one decision per input row (in any order; a
 * reordering selector yields kept rows in their new order). Core writes its output atomically when
 * the stage ends, so an interrupted selector stage is re-run whole; teacher calls it made are
 * answered from the request cache.
 */
export interface SelectorV1 {
  readonly specificationVersion: 'v1';
  readonly componentId: string;
  doSelect(rows: AsyncIterable<RowV1>): AsyncIterable<SelectorV1Decision>;
}
