/**
 * Data of the beyond-the-paper analyses: the figures' inputs and the reports the
 * service returns (plain JSON, so they cross IPC and WebSocket unchanged). The
 * analyses live in src/main/analysis/beyond; the figure builders in rates.ts, barrier.ts and
 * weight-function.ts.
 */
import type { MetricsData } from './data'

// ---- Figures -------------------------------------------------------------------------

/** Sorted convergence rates of subproblems, per network, for a log–log plot. */
export interface RatesData {
  label: string
  /** Which fit the rates come from: exponential 1/τ, or the power law's exponent b. */
  model: 'exponential' | 'power'
  /** Which subproblems: confusion pairs, classes, or both. */
  kind: 'pairs' | 'classes' | 'all'
  /** Axis name of the rates, e.g. "decay rate 1/τ (per epoch)". */
  unit: string
  /** Each network's rates, sorted from fastest to slowest. */
  perNet: { net: number; rates: number[] }[]
  /** Rank-wise median over the networks that have a rate at that rank. */
  median: number[]
  /** The toy model's Zipf reference, rate_i = anchor · i^(−s) (the stochastic model
   * with P(i) ∝ 1/i^s; anchor = the median's fastest rate). */
  zipf?: { s: number; anchor: number }
}

/** Loss and error along the straight line between two networks' weights. */
export interface BarrierCurve {
  /** e.g. "0–1". */
  label: string
  /** Mean loss at each α (the run's loss: mse or cross-entropy). */
  loss: number[]
  /** Error (fraction) at each α. */
  error: number[]
}

export interface BarrierData {
  title?: string
  /** Interpolation weights, 0 = network a, 1 = network b. */
  alphas: number[]
  /** Axis name of the loss, e.g. "test loss (mse)". */
  lossName: string
  /** Network b as trained (hidden units in their own order). */
  before: BarrierCurve[]
  /** Network b's hidden units permuted onto a's (weight matching). */
  after: BarrierCurve[]
}

/** Stability of a spawned run (sgdscope stability): error barrier between siblings against
 * the spawn point k, per parent and on average, beside strangers, with the threshold. */
export interface StabilityData {
  title?: string
  /** Spawn points, epochs, ascending. */
  at: number[]
  /** Error barrier (fraction) between siblings: mean over pairs, before and after alignment. */
  siblings: number[]
  siblingsAligned: number[]
  /** Mean sibling barrier of each parent network: [parent][point]. */
  perParent: number[][]
  /** Mean barrier between strangers (children of different parents), or null. */
  strangers: number[] | null
  /** Stable below this barrier (fraction). */
  threshold: number
}

/** Distances between pairs of networks over training: weights (raw and after
 * aligning hidden units) and functions (τ on the probe set). */
export interface WeightFunctionData {
  label: string
  /** Epoch of every snapshot. */
  epochs: number[]
  /** How the weights were aligned: one permutation from the final kept snapshot, or a
   * permutation per snapshot. */
  alignment: 'final' | 'each'
  pairs: {
    a: number
    b: number
    /** ‖θ_a − θ_b‖ at each snapshot (null where weights are not kept). */
    weightRaw: (number | null)[]
    /** ‖θ_a − P·θ_b‖ with hidden units aligned. */
    weightAligned: (number | null)[]
    /** ‖τ_a − τ_b‖ (Euclidean on the probe outputs; null where not recorded). */
    tau: (number | null)[]
  }[]
}

// ---- Reports --------------------------------------------------------------------------

export interface FitQuality {
  /** Curves fitted. */
  fitted: number
  medianR2: number
  /** Fraction of fits with R² ≥ 0.9. */
  good: number
}

export interface RankCorrelation {
  /** Spearman correlation of rates over the subproblems two networks share, summarised
   * over pairs of networks. NaN when no pair had 3 or more common subproblems. */
  mean: number
  min: number
  max: number
  /** Network pairs compared. */
  pairs: number
  /** Mean number of subproblems in common per pair. */
  meanCommon: number
}

export interface SubproblemSummary {
  id: string
  kind: 'class' | 'pair'
  trueClass: number
  predicted: number | null
  /** Probe images of the true class. */
  images: number
  /** Networks in which this subproblem was tracked (its peak error ≥ minImages images
   * and ≥ minFraction of its class). */
  tracked: number
  /** Median over networks of the spectrum's rate and of each fit's R² (NaN if none). */
  medianRate: number
  medianR2Exponential: number
  medianR2Power: number
  /** Median over networks of the exponential asymptote c and the power-law exponent b. */
  medianFloor: number
  medianExponent: number
}

export interface NetFit {
  id: string
  from: number
  power: { a: number; b: number; r2: number; n: number } | null
  exponential: {
    c: number
    a: number
    tau: number
    rate: number
    t0: number
    r2: number
    n: number
    atBound: boolean
    bound: 'fast' | 'slow' | null
  } | null
}

export interface SubproblemsReport {
  runId: string
  label: string
  /** Where the errors come from: the probe set's τ (the first `probe` test images). */
  source: 'probe'
  probe: number
  classes: number
  /** Training samples per epoch (the unit of rates per epoch). */
  trainCount: number
  /** Snapshot times. */
  epochs: number[]
  samples: number[]
  nets: number[]
  options: {
    model: 'exponential' | 'power'
    kind: 'pairs' | 'classes' | 'all'
    minImages: number
    minFraction: number
    minR2: number
    zipfS: number
    /** The fitted window: snapshots at epochs ≥ fromEpoch, epoch 0 only with includeInitial. */
    fromEpoch: number
    includeInitial: boolean
  }
  /** The rate spectrum figure's data. */
  rates: RatesData
  /** Least-squares slope of log median rate against log rank (the toy model: −s). */
  spectrumSlope: number
  /** Curves (over all networks) entering the spectrum, and why others did not: the
   * exponential's τ at the fast end of its search (the drop fell between two
   * snapshots), at the slow end (no convergence visible), a rising curve, an R² below
   * minR2. Each curve is counted once. */
  counts: {
    tracked: number
    fitted: number
    inSpectrum: number
    tooFast: number
    tooSlow: number
    notDecaying: number
    poorFit: number
  }
  fitQuality: { exponential: FitQuality; power: FitQuality }
  rankCorrelation: RankCorrelation
  /** Every subproblem, summarised over networks. */
  subproblems: SubproblemSummary[]
  /** Slowest and fastest subproblems by median rate (tracked in at least half the networks). */
  slowest: { id: string; medianRate: number; tracked: number }[]
  fastest: { id: string; medianRate: number; tracked: number }[]
  /** Per-class error curves (with `curves`): one series per class, [net][snapshot]. */
  curves?: MetricsData
  /** Every network's fits (with `detail`). */
  fits?: { net: number; fits: NetFit[] }[]
}

export interface BarrierSide {
  loss: number[]
  error: number[]
  /** max over α of loss(α) − ((1−α)·loss(0) + α·loss(1)). */
  barrierLoss: number
  /** The same for the error (a fraction). */
  barrierError: number
  /** α at which each barrier is attained. */
  argmaxLoss: number
  argmaxError: number
}

export interface BarrierReport {
  runId: string
  nets: [number, number]
  snapshot: number
  epoch: number
  /** Snapshots with kept weights (both networks), for pickers. */
  kept: { snapshot: number; epoch: number }[]
  /** What the networks were evaluated on. */
  evaluatedOn: { set: 'test' | 'train'; count: number }
  loss: 'mse' | 'cross-entropy'
  alphas: number[]
  before: BarrierSide
  after: BarrierSide
  /** Hidden units of b moved by the alignment (perm[h] ≠ h), and the permutation
   * (after[h] = b's unit perm[h]). */
  moved: number
  permutation: number[]
  /** ‖θ_a − θ_b‖ before and after alignment. */
  weightDistance: { before: number; after: number }
  /** The barrier figure's data. */
  figure: BarrierData
}

export interface BarrierStats {
  before: { mean: number; median: number; min: number; max: number }
  after: { mean: number; median: number; min: number; max: number }
}

export interface BarrierSummaryReport {
  runId: string
  snapshot: number
  epoch: number
  evaluatedOn: { set: 'test' | 'train'; count: number }
  points: number
  pairs: {
    nets: [number, number]
    before: { loss: number; error: number }
    after: { loss: number; error: number }
    moved: number
  }[]
  loss: BarrierStats
  error: BarrierStats
  /** All pairs' curves (thin) with their median (bold). */
  figure: BarrierData
}

export interface WeightFunctionReport {
  runId: string
  alignment: 'final' | 'each'
  /** Snapshot whose permutation aligns every snapshot (alignment 'final'). */
  alignedAt: number | null
  /** Snapshots with kept weights. */
  kept: number[]
  figure: WeightFunctionData
  /** Mean over pairs at the first and the last kept snapshot. */
  first: { epoch: number; weightRaw: number; weightAligned: number; tau: number }
  last: { epoch: number; weightRaw: number; weightAligned: number; tau: number }
}

/** Distances between whole paths (one per network), within a run and across runs. */
export interface PathDistancesReport {
  view: 'tau' | 'kappa'
  progress: 'length' | 'error'
  /** One entry per path, in the order of the matrices' rows. */
  paths: { runId: string; label: string; net: number; snapshots: number }[]
  /** Paths × paths: discrete Fréchet distance. */
  frechet: number[][]
  /** Paths × paths: mean distance at equal progress (null where a path has no progress). */
  aligned: (number | null)[][]
  /** Paths whose progress could not be measured, and why. */
  unaligned: { path: number; reason: string }[]
  /** Whole paths embedded in 2-D (classical MDS of the aligned distances, or Fréchet where
   * some path has no progress): one point per network. */
  embedding: { of: 'aligned' | 'frechet'; coords: [number, number][]; stress: number }
  /** "Same path, only faster?" for each pair of runs: pairs of networks with the same start
   * (equal first point) in the two runs, against pairs with different starts. */
  comparisons: {
    runs: [string, string]
    sameStart: { pairs: number; aligned: number; frechet: number }
    differentStart: { pairs: number; aligned: number; frechet: number }
    /** Median aligned distance of same-start pairs over that of different-start pairs. */
    ratio: number
    verdict: string
  }[]
  /** Within each run: the median distance between its networks' paths. */
  spread: { runId: string; pairs: number; aligned: number; frechet: number }[]
  seconds: number
}

/** Mean, median, min and max of a set of values (count: how many). */
export interface SummaryStats {
  mean: number
  median: number
  min: number
  max: number
  count: number
}

export interface PairStats {
  /** Error barrier (fraction), raw and after aligning hidden units. */
  errorBarrier: { before: SummaryStats; after: SummaryStats }
  lossBarrier: { before: SummaryStats; after: SummaryStats }
  /** Mean over pairs at each snapshot from k on (epochs in `epochs`). */
  tauDistance: number[]
  kappaDisagreement: number[]
  pairs: number
}

export interface StabilityPoint {
  /** Spawn point, epochs. */
  at: number
  /** Snapshot index of the spawn point. */
  snapshot: number
  /** Epochs of the snapshots from k to the end (the x of tauDistance and kappaDisagreement). */
  epochs: number[]
  siblings: PairStats
  /** Null with a single parent network. */
  strangers: PairStats | null
  /** Mean raw error barrier between one parent's children, per parent. */
  perParent: number[]
}

export interface StabilityReport {
  runId: string
  parent: string
  threshold: number
  /** Snapshot whose kept weights the barriers use (the last with weights). */
  snapshot: number
  epoch: number
  evaluatedOn: { set: 'test' | 'train'; count: number }
  points: StabilityPoint[]
  /** First spawn point whose mean raw sibling error barrier is below the threshold, or null;
   * the same per parent network (its spread over parents is the uncertainty). */
  firstStable: { mean: number | null; perParent: (number | null)[] }
  /** The \`stability\` figure's data (spawn points ascending). */
  figure: StabilityData
}

/** What an M-PHATE picture's points are coloured by: the snapshot's epoch, the unit's hidden
 * layer, or the class whose trace images activate the unit most at that snapshot. */
export const MPHATE_COLORS = ['epoch', 'layer', 'class'] as const
export type MphateColor = (typeof MPHATE_COLORS)[number]

/** M-PHATE of hidden units (sgdscope mphate): every (unit, snapshot) of one or two networks in
 * 2-D, one panel per network. Points are slice-major: point s·units + u is unit u at snapshot s.
 * A second network's units are reordered to match the first's (unit u of both is one matched
 * pair) and its picture rotated onto the first's through those pairs. */
export interface MphateData {
  title?: string
  /** Epoch of each slice (snapshot), ascending. */
  epochs: number[]
  /** Hidden layer (1-based) of each unit. */
  layers: number[]
  /** Names of the classes (`topClass` indexes them). */
  classes: string[]
  networks: {
    label: string
    x: number[]
    y: number[]
    /** The most-activating class of each point (index into classes). */
    topClass: number[]
  }[]
}

export interface MphateReport {
  runId: string
  nets: number[]
  /** The snapshots embedded (slices) and their epochs. */
  snapshots: number[]
  epochs: number[]
  /** Snapshots with kept weights for these networks (the slices are chosen among them). */
  kept: number
  units: number
  /** Widths of the hidden layers. */
  layers: number[]
  activation: string
  /** The trace set: probe items, `perClass` of each class (fewer where the probe set has fewer). */
  trace: { count: number; perClass: number; classes: number; probeIndices: number[] }
  options: { intrasliceKnn: number; intersliceKnn: number; decay: number; gamma: number }
  /** Per network: diffusion time t, the interslice bandwidth, stress-1 of the MDS on potential distances. */
  perNet: { net: number; diffusionTime: number; intersliceBandwidth: number; stress: number }[]
  /** Two networks: the second's unit matched to each of the first's (weight matching at `alignedAt`). */
  matching?: { permutation: number[]; moved: number; alignedAt: number; procrustesResidual: number }
  seconds: number
  figure: MphateData
}
