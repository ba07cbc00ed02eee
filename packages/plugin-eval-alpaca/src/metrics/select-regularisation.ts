import { fitL1LogisticRegression, logistic, type SoftLabelRows } from './l1-logistic-regression';

/** sklearn `LogisticRegressionCV(Cs=10)`: `np.logspace(−4, 4, 10)`. */
export const OFFICIAL_C_GRID: readonly number[] = Array.from({ length: 10 }, (_, k) => 10 ** (-4 + (8 * k) / 9));

/** The result of the cross-validated choice of C. */
export interface RegularisationChoice {
  c: number;
  /** Mean held-out score per grid value (higher is better). */
  scores: number[];
}

/**
 * The fold of each row under sklearn's `GroupKFold` when every group (one original row, whose two
 * label copies share it) has the same size: groups are dealt round-robin in reverse order. (numpy's
 * unstable argsort may order equal sizes differently; that changes C for some models, and the LC by
 * about 0.1 point at most.)
 */
export function groupKFoldAssignment(rowCount: number, folds: number): number[] {
  return Array.from({ length: rowCount }, (_, row) => (rowCount - 1 - row) % folds);
}

/**
 * Held-out score of alpaca_eval's `logloss_continuous`: minus the mean over held-out duplicated rows
 * of `w·[y·log q + (1−y)·log(1−q)]`, q clipped to [1e−15, 1 − 1e−15]. Both label copies of a row carry
 * the same value, so the mean over original rows is the same.
 */
function heldOutScore(rows: SoftLabelRows, indices: readonly number[], theta: readonly number[]): number {
  const epsilon = 1e-15;
  let total = 0;
  for (const i of indices) {
    let z = 0;
    for (let k = 0; k < theta.length; k += 1) z += theta[k] * rows.x[i][k];
    const q = Math.min(Math.max(logistic(z), epsilon), 1 - epsilon);
    const y = rows.y[i];
    total += rows.weight[i] * (y * Math.log(q) + (1 - y) * Math.log(1 - q));
  }
  return total / indices.length;
}

/**
 * The official choice of C (`LogisticRegressionCV(cv=GroupKFold(5), Cs=10)` scored by
 * `logloss_continuous`): the grid value with the best mean held-out score, the first on ties.
 */
export function selectRegularisation(
  rows: SoftLabelRows,
  grid: readonly number[] = OFFICIAL_C_GRID,
  folds = 5,
): RegularisationChoice {
  const assignment = groupKFoldAssignment(rows.y.length, folds);
  const scores = new Array<number>(grid.length).fill(0);
  for (let fold = 0; fold < folds; fold += 1) {
    const train: SoftLabelRows = { x: [], y: [], weight: [] };
    const test: number[] = [];
    for (let i = 0; i < rows.y.length; i += 1) {
      if (assignment[i] === fold) {
        test.push(i);
      } else {
        (train.x as (readonly number[])[]).push(rows.x[i]);
        (train.y as number[]).push(rows.y[i]);
        (train.weight as number[]).push(rows.weight[i]);
      }
    }
    grid.forEach((c, k) => {
      const theta = fitL1LogisticRegression(train, c).coefficients;
      scores[k] += heldOutScore(rows, test, theta) / folds;
    });
  }
  let best = 0;
  for (let k = 1; k < grid.length; k += 1) if (scores[k] > scores[best]) best = k;
  return { c: grid[best], scores };
}
