/**
 * The paper's eight figures as presets: the runs each needs (their training part) and
 * the view that shows it. Figures 2–4 view the same run as figure 1, so a tool that
 * reproduces them trains it once (runs are matched by spec).
 *
 * Then presets that extend the paper (issue 19): each asks one question of the paper's
 * protocol — does depth, the activation, weight decay or the dataset change whether SGD's
 * paths converge? — with one run per variant, all shown in one map (docs/method.md,
 * "Presets beyond the paper").
 *
 * A preset has one or two stages: its `runs`, then optionally a `spawn` stage, children of
 * one of those runs (`stability`: Frankle et al.'s instability analysis on the paper's
 * network). Its figure is a paths view of the runs, or the stability figure of the children.
 */
import type { ExperimentSpecInput } from './spec'

export type PathsView = {
  /** Function-space view: τ (outputs, Euclidean) or κ (classes, Hamming). */
  view: 'tau' | 'kappa'
  /** Epoch window [from, to]; omitted ends are open. */
  epochs?: [number | null, number | null]
  /** Network subset: the first k networks. */
  firstNets?: number
  colorBy: 'epoch' | 'net'
  /** Several runs: one plot with a legend, or panels with shared axes. */
  layout?: 'single' | 'overlay' | 'panels'
}

/** The stability figure (barrier against spawn point) of a preset's spawn stage. */
export type StabilityView = { view: 'stability'; threshold?: number }

/** The second stage: children of one of the preset's runs, spawned as `sgdscope spawn` does. */
export type SpawnStage = {
  /** The label of the parent run among the preset's `runs`. */
  from: string
  label: string
  /** Spawn points in epochs: each must be a snapshot of the parent (its schedule includes them). */
  at: number[]
  children: number
  noise: 'order'
  /** The children's kept weights (default: the parent's). */
  keepWeights?: 'final'
}

export type Preset = {
  id: PresetId
  /** `paper`: one of the paper's figures; `beyond`: a question the paper does not ask. */
  group: 'paper' | 'beyond'
  title: string
  description: string
  /** The question the preset asks, in one line (the extensions; the form and `sgdscope presets` show it). */
  question?: string
  /** The runs behind the figure (the first stage), each with a short label. */
  runs: { label: string; spec: ExperimentSpecInput }[]
  spawn?: SpawnStage
  figure: PathsView | StabilityView
}

export const PAPER_PRESET_IDS = ['fig1', 'fig2', 'fig3', 'fig4', 'fig5', 'fig6', 'fig7', 'fig8'] as const
export const BEYOND_PRESET_IDS = ['depth', 'activation', 'weight-decay', 'fashion', 'stability'] as const
export const PRESET_IDS = [...PAPER_PRESET_IDS, ...BEYOND_PRESET_IDS] as const
export type PresetId = (typeof PRESET_IDS)[number]

/** Parameters of an MLP with these layer widths (inputs, hidden…, outputs): weights and biases. */
export function mlpParams(widths: readonly number[]): number {
  let n = 0
  for (let l = 1; l < widths.length; l++) n += widths[l - 1]! * widths[l]! + widths[l]!
  return n
}

/**
 * The width w of `layers` equal hidden layers whose 784-w-…-w-10 network has the parameter
 * count nearest the paper's 784-100-10 (79,510): 90 for two layers (79,750, +0.3 %), 83 for
 * three (79,939, +0.5 %). Equal widths, so that depth is the only thing that changes.
 */
export function equalParamWidth(
  layers: number,
  inputs = 784,
  outputs = 10,
  target = mlpParams([784, 100, 10]),
): number {
  let best = 1
  for (let w = 1; w <= 10 * target; w++) {
    const n = mlpParams([inputs, ...Array<number>(layers).fill(w), outputs])
    if (Math.abs(n - target) < Math.abs(mlpParams([inputs, ...Array<number>(layers).fill(best), outputs]) - target))
      best = w
    if (n > target) break
  }
  return best
}

/** fig1's run, shared by figures 1–4: 100 networks, 20 epochs, batch 1, η = 1,
 * snapshots at 0, 0.1, …, 1.0, then 2, 3, …, 20 epochs. */
const FIG1_RUN: ExperimentSpecInput = {
  kind: 'mlp',
  preset: 'fig1',
  name: 'fig1: 100 networks, 20 epochs, batch 1',
  nets: 100,
  epochs: 20,
  batch: 1,
  lr: 1,
  snapshots: { spacing: 'linear', firstEpoch: 10, every: 1 },
}

const stochastic = (picking: 'uniform' | 'zipf', preset: PresetId): ExperimentSpecInput => ({
  kind: 'stochastic',
  preset,
  name: `${preset}: stochastic model, ${picking} picking`,
  nets: 5,
  dim: 1000,
  epsilon: 0.1,
  picking,
  zipfS: 1,
  steps: 50_000,
  recordEvery: 500,
})

/** The stability preset's spawn points (epochs), after Frankle et al.'s grid. */
export const STABILITY_AT = [0, 0.01, 0.05, 0.2, 1, 2]

/** A snapshot list with extra points merged in, ascending, once each. */
export function withPoints(base: number[], extra: number[]): number[] {
  return [...new Set([...base, ...extra].map((t) => Math.round(t * 1e9) / 1e9))].sort((a, b) => a - b)
}

/** The stability parents: the paper's network (784-100-10, deskewed MNIST, batch 1, η = 1),
 * 10 epochs, snapshots at 0.1, …, 1, 2, …, 10 epochs plus every spawn point, weights kept
 * at the spawn points (the children's states, so nothing is replayed) and at the end. */
const STABILITY_PARENTS: ExperimentSpecInput = {
  kind: 'mlp',
  preset: 'stability',
  name: 'stability: 10 parents, 10 epochs, batch 1',
  nets: 10,
  epochs: 10,
  batch: 1,
  lr: 1,
  snapshots: {
    at: withPoints(
      [...Array.from({ length: 10 }, (_, i) => (i + 1) / 10), ...Array.from({ length: 9 }, (_, i) => i + 2)],
      STABILITY_AT,
    ),
  },
  keepWeights: withPoints(STABILITY_AT, [10]),
}

/** The runs of an extension: the paper's network and training, 20 networks per variant for
 * 20 epochs (fig6's size), each variant changing the fields given. */
const variant = (preset: PresetId, label: string, change: Partial<Record<string, unknown>>) => ({
  label,
  spec: {
    kind: 'mlp',
    preset,
    name: `${preset}: ${label}`,
    nets: 20,
    epochs: 20,
    batch: 1,
    lr: 1,
    ...change,
  } as ExperimentSpecInput,
})

const W2 = equalParamWidth(2)
const W3 = equalParamWidth(3)

const BEYOND: Record<(typeof BEYOND_PRESET_IDS)[number], Preset> = {
  depth: {
    id: 'depth',
    group: 'beyond',
    title: 'One, two and three hidden layers at equal parameter count',
    question: 'Does depth change whether SGD’s paths converge, at the same number of parameters?',
    description: `784-100-10, 784-${W2}-${W2}-10 and 784-${W3}-${W3}-${W3}-10 (79,510, ${mlpParams([784, W2, W2, 10]).toLocaleString('en-US')} and ${mlpParams([784, W3, W3, W3, 10]).toLocaleString('en-US')} parameters), sigmoid, batch 1, η = 1; 20 networks each, overlaid.`,
    runs: [
      variant('depth', '1 hidden layer', { hidden: 100 }),
      variant('depth', '2 hidden layers', { hidden: [W2, W2] }),
      variant('depth', '3 hidden layers', { hidden: [W3, W3, W3] }),
    ],
    figure: { view: 'tau', colorBy: 'epoch', layout: 'overlay' },
  },
  activation: {
    id: 'activation',
    group: 'beyond',
    title: 'Sigmoid against ReLU hidden units',
    question: 'Is the paper’s picture a property of sigmoid units, or do ReLU networks’ paths behave alike?',
    description:
      'The paper’s 784-100-10 network with sigmoid or ReLU hidden units (same seeds, batch 1, η = 1); 20 networks each, overlaid.',
    runs: [
      variant('activation', 'sigmoid', { activation: 'sigmoid' }),
      variant('activation', 'ReLU', { activation: 'relu' }),
    ],
    figure: { view: 'tau', colorBy: 'epoch', layout: 'overlay' },
  },
  'weight-decay': {
    id: 'weight-decay',
    group: 'beyond',
    title: 'Without and with weight decay',
    question: 'Does an L2 pull towards the origin make the paths of different starts meet?',
    description:
      'The paper’s network without and with weight decay 1e-5 (PyTorch’s convention; at η = 1 and batch 1 a weight left alone shrinks by e^−0.6 per epoch); 20 networks each, overlaid.',
    runs: [
      variant('weight-decay', 'no weight decay', { weightDecay: 0 }),
      variant('weight-decay', 'weight decay 1e-5', { weightDecay: 1e-5 }),
    ],
    figure: { view: 'tau', colorBy: 'epoch', layout: 'overlay' },
  },
  fashion: {
    id: 'fashion',
    group: 'beyond',
    title: 'fig1’s protocol on Fashion-MNIST',
    question: 'Do the paths on a harder dataset look like MNIST’s?',
    description:
      'fig1 (100 networks, 20 epochs, batch 1, η = 1, the same snapshots) on Fashion-MNIST, not deskewed (deskewing straightens digits, not clothes).',
    runs: [
      {
        label: 'Fashion-MNIST',
        spec: {
          ...FIG1_RUN,
          preset: 'fashion',
          name: 'fashion: fig1 on Fashion-MNIST',
          dataset: { source: 'fashion-mnist', deskew: false },
        },
      },
    ],
    figure: { view: 'tau', colorBy: 'epoch' },
  },
  stability: {
    id: 'stability',
    group: 'beyond',
    title: 'When is a network’s fate fixed? Stability to SGD noise',
    question: 'From which point of training do two copies that differ only in SGD noise end in the same basin?',
    description:
      'Frankle et al.’s instability analysis on the paper’s network: 10 parents, 2 children each from epochs 0, 0.01, 0.05, 0.2, 1 and 2 with new sample orders, trained to epoch 10; the error barrier between siblings against the spawn point.',
    runs: [{ label: 'parents', spec: STABILITY_PARENTS }],
    spawn: { from: 'parents', label: 'children', at: STABILITY_AT, children: 2, noise: 'order', keepWeights: 'final' },
    figure: { view: 'stability', threshold: 0.02 },
  },
}

export const PRESETS: Record<PresetId, Preset> = {
  fig1: {
    id: 'fig1',
    group: 'paper',
    title: 'τ and κ paths of 100 networks over 20 epochs',
    description: '100 networks from different random starts, batch 1, coloured by epoch (red → blue).',
    runs: [{ label: 'batch 1', spec: FIG1_RUN }],
    figure: { view: 'tau', colorBy: 'epoch' },
  },
  fig2: {
    id: 'fig2',
    group: 'paper',
    title: 'The same paths after the initial phase',
    description: 'fig1 with the first two epochs hidden: the slow phase, where paths stay apart.',
    runs: [{ label: 'batch 1', spec: FIG1_RUN }],
    figure: { view: 'tau', epochs: [2, null], colorBy: 'epoch' },
  },
  fig3: {
    id: 'fig3',
    group: 'paper',
    title: 'A few paths',
    description: "Five of fig1's networks, so that individual paths can be followed.",
    runs: [{ label: 'batch 1', spec: FIG1_RUN }],
    figure: { view: 'tau', firstNets: 5, colorBy: 'epoch' },
  },
  fig4: {
    id: 'fig4',
    group: 'paper',
    title: 'A few paths in the κ view',
    description: 'fig3 in terms of predicted classes (Hamming distance).',
    runs: [{ label: 'batch 1', spec: FIG1_RUN }],
    figure: { view: 'kappa', firstNets: 5, colorBy: 'epoch' },
  },
  fig5: {
    id: 'fig5',
    group: 'paper',
    title: 'Two networks over 500 epochs at η = 5',
    description: 'Long training at a large learning rate: the paths keep moving but do not meet.',
    runs: [
      {
        label: 'η = 5',
        spec: {
          kind: 'mlp',
          preset: 'fig5',
          name: 'fig5: 2 networks, 500 epochs, η = 5',
          nets: 2,
          epochs: 500,
          lr: 5,
          snapshots: { spacing: 'linear', firstEpoch: 2, every: 0.5 },
        },
      },
    ],
    figure: { view: 'tau', epochs: [50, 500], colorBy: 'epoch' },
  },
  fig6: {
    id: 'fig6',
    group: 'paper',
    title: 'Batch 1 against batch 100',
    description: 'The same seeds trained with batch 1 (η = 1) and batch 100 (η = 10; mean-gradient batches), overlaid.',
    runs: [
      {
        label: 'batch 1',
        spec: { kind: 'mlp', preset: 'fig6', name: 'fig6: batch 1', nets: 10, epochs: 20, batch: 1, lr: 1 },
      },
      {
        label: 'batch 100',
        spec: { kind: 'mlp', preset: 'fig6', name: 'fig6: batch 100', nets: 10, epochs: 20, batch: 100, lr: 10 },
      },
    ],
    figure: { view: 'tau', colorBy: 'epoch', layout: 'overlay' },
  },
  fig7: {
    id: 'fig7',
    group: 'paper',
    title: 'Stochastic model, uniform picking',
    description: '5 vectors in R^1000, one coordinate shrunk by 0.9 per step, chosen uniformly.',
    runs: [{ label: 'uniform', spec: stochastic('uniform', 'fig7') }],
    figure: { view: 'tau', colorBy: 'epoch' },
  },
  fig8: {
    id: 'fig8',
    group: 'paper',
    title: 'Stochastic model, Zipf picking',
    description: 'As fig7, but coordinate i is chosen with probability ∝ 1/i.',
    runs: [{ label: 'Zipf s = 1', spec: stochastic('zipf', 'fig8') }],
    figure: { view: 'tau', colorBy: 'epoch' },
  },
  ...BEYOND,
}

/** The paths view of a preset, or undefined for one whose figure is of another kind. */
export function pathsView(p: Preset): PathsView | undefined {
  return p.figure.view === 'stability' ? undefined : p.figure
}

export function isPresetId(id: string): id is PresetId {
  return (PRESET_IDS as readonly string[]).includes(id)
}

/**
 * The name of a preset's run made with changes, so that it does not claim the full
 * preset's sizes: "fig1 (8 of 100 networks)", "fig6: batch 1 (4 of 10 networks, lr 2)".
 * Undefined when nothing changed or the run was given its own name. `single`: the preset
 * has one run, whose name (which spells out the sizes) gives way to the preset's id.
 */
export function scaledPresetName(
  id: PresetId,
  base: Record<string, unknown>,
  spec: Record<string, unknown>,
  single: boolean,
): string | undefined {
  if (spec.name !== undefined && spec.name !== base.name) return undefined
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
  const parts: string[] = []
  const sizes: [string, string][] = [
    ['nets', 'networks'],
    ['epochs', 'epochs'],
    ['steps', 'steps'],
  ]
  for (const [k, unit] of sizes)
    if (spec[k] !== undefined && base[k] !== undefined && !same(spec[k], base[k]))
      parts.push(`${String(spec[k])} of ${String(base[k])} ${unit}`)
  for (const k of Object.keys(spec)) {
    if (['name', 'preset', 'nets', 'epochs', 'steps'].includes(k) || same(spec[k], base[k])) continue
    const v = spec[k]
    parts.push(v !== null && typeof v === 'object' ? `${k} changed` : `${k} ${String(v)}`)
  }
  if (!parts.length) return undefined
  return `${single ? id : String(base.name ?? id)} (${parts.join(', ')})`
}
