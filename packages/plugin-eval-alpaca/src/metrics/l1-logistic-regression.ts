/**
 * Training rows of a soft-label logistic regression: features `x[i]` (no intercept is added),
 * target probability `y[i]` in [0, 1] and sample weight `weight[i]` ≥ 0.
 */
export interface SoftLabelRows {
  x: ReadonlyArray<readonly number[]>;
  y: readonly number[];
  weight: readonly number[];
}

/** Options of {@link fitL1LogisticRegression}. */
export interface L1FitOptions {
  /** Stop when the largest Newton step component is below this. Default 1e-13. */
  tolerance?: number;
  /** Most proximal Newton iterations. Default 200. */
  maxIterations?: number;
}

/** The result of a fit: coefficients, objective value and iterations used. */
export interface L1FitResult {
  coefficients: number[];
  objective: number;
  iterations: number;
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** The logistic function 1 / (1 + e^−z), as alpaca_eval's `exp(−logaddexp(0, −z))`. */
export function logistic(z: number): number {
  return Math.exp(-softplus(-z));
}

function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let k = 0; k < a.length; k += 1) sum += a[k] * b[k];
  return sum;
}

/**
 * The liblinear objective `‖θ‖₁ + C · Σᵢ wᵢ · [yᵢ·log(1+e^{−θ·xᵢ}) + (1−yᵢ)·log(1+e^{θ·xᵢ})]`, which is
 * what sklearn's `LogisticRegression(penalty="l1", solver="liblinear", fit_intercept=False)` minimises
 * when each row is duplicated as (label 1, weight w·y) and (label 0, weight w·(1−y)).
 */
export function l1LogisticObjective(rows: SoftLabelRows, c: number, theta: readonly number[]): number {
  let loss = 0;
  for (let i = 0; i < rows.y.length; i += 1) {
    const w = rows.weight[i];
    if (w === 0) continue;
    const z = dot(theta, rows.x[i]);
    const y = rows.y[i];
    if (y !== 0) loss += w * y * softplus(-z);
    if (y !== 1) loss += w * (1 - y) * softplus(z);
  }
  let penalty = 0;
  for (const value of theta) penalty += Math.abs(value);
  return penalty + c * loss;
}

function softThreshold(value: number, threshold: number): number {
  if (value > threshold) return value - threshold;
  if (value < -threshold) return value + threshold;
  return 0;
}

/**
 * Minimises `gᵀd + ½ dᵀHd + ‖θ + d‖₁` over d by cyclic coordinate descent to machine precision
 * (the features are few, so each sweep is cheap). Returns d.
 */
function solveProximalNewtonStep(theta: readonly number[], gradient: number[], hessian: number[][]): number[] {
  const size = theta.length;
  const u = [...theta];
  for (let sweep = 0; sweep < 1000; sweep += 1) {
    let largestChange = 0;
    for (let k = 0; k < size; k += 1) {
      const curvature = hessian[k][k];
      if (!(curvature > 0)) {
        // Flat direction: the L1 term alone decides, unless the linear term beats it.
        continue;
      }
      let slope = gradient[k];
      for (let l = 0; l < size; l += 1) slope += hessian[k][l] * (u[l] - theta[l]);
      const next = softThreshold(u[k] - slope / curvature, 1 / curvature);
      largestChange = Math.max(largestChange, Math.abs(next - u[k]));
      u[k] = next;
    }
    let scale = 1;
    for (const value of u) scale = Math.max(scale, Math.abs(value));
    if (largestChange <= 1e-15 * scale) break;
  }
  return u.map((value, k) => value - theta[k]);
}

/**
 * Fits the L1-penalised soft-label logistic regression (no intercept) at the given C by proximal
 * Newton with a backtracking line search, converged far tighter than liblinear's `tol=1e-4`.
 * Starts at θ = 0 (liblinear's start) and returns the minimiser of {@link l1LogisticObjective}.
 */
export function fitL1LogisticRegression(rows: SoftLabelRows, c: number, options: L1FitOptions = {}): L1FitResult {
  const tolerance = options.tolerance ?? 1e-13;
  const maxIterations = options.maxIterations ?? 200;
  const size = rows.x[0]?.length ?? 0;
  let theta = new Array<number>(size).fill(0);
  let objective = l1LogisticObjective(rows, c, theta);
  let iterations = 0;
  for (; iterations < maxIterations; iterations += 1) {
    const gradient = new Array<number>(size).fill(0);
    const hessian = Array.from({ length: size }, () => new Array<number>(size).fill(0));
    for (let i = 0; i < rows.y.length; i += 1) {
      const w = rows.weight[i];
      if (w === 0) continue;
      const xi = rows.x[i];
      const p = logistic(dot(theta, xi));
      const residual = c * w * (p - rows.y[i]);
      const curvature = c * w * p * (1 - p);
      for (let k = 0; k < size; k += 1) {
        gradient[k] += residual * xi[k];
        for (let l = 0; l <= k; l += 1) hessian[k][l] += curvature * xi[k] * xi[l];
      }
    }
    for (let k = 0; k < size; k += 1) for (let l = 0; l < k; l += 1) hessian[l][k] = hessian[k][l];

    const step = solveProximalNewtonStep(theta, gradient, hessian);
    const stepSize = Math.max(...step.map(Math.abs));
    if (stepSize <= tolerance) break;
    const l1Now = theta.reduce((sum, value) => sum + Math.abs(value), 0);
    const l1Next = theta.reduce((sum, value, k) => sum + Math.abs(value + step[k]), 0);
    const decrease = dot(gradient, step) + l1Next - l1Now;

    let scale = 1;
    let accepted = false;
    for (let attempt = 0; attempt < 60; attempt += 1) {
      const candidate = theta.map((value, k) => value + scale * step[k]);
      const candidateObjective = l1LogisticObjective(rows, c, candidate);
      // The last term forgives rounding noise once the steps are tiny (large C makes the objective large).
      if (candidateObjective <= objective + 1e-4 * scale * decrease + 1e-14 * Math.abs(objective)) {
        theta = candidate;
        objective = candidateObjective;
        accepted = true;
        break;
      }
      scale /= 2;
    }
    if (!accepted) {
      // The objective no longer decreases in floating point: θ is optimal to machine precision.
      break;
    }
  }
  return { coefficients: theta, objective, iterations };
}
