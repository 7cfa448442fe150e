/**
 * Runs recorded "outside sgdscope", written with the TypeScript writer: deterministic
 * synthetic outputs (optionally from real MLP weights evaluated on recorded probe
 * inputs), so that tests know every number the analyses should find.
 */
import { writeExternalRun, type MlpArchitecture, type WholeRun } from '../../src/main/archive/external-run'
import type { RunArchive } from '../../src/main/archive/run'
import { rng } from '../main/figures/synthetic'

export interface SyntheticOptions {
  id?: string
  nets?: number
  snapshots?: number
  probe?: number
  classes?: number
  outputs?: 'probabilities' | 'logits' | 'values'
  /** D for `values` outputs. */
  dim?: number
  seed?: number
  /** Record MLP weights (inputs × hidden) and probe inputs; outputs are the MLP's softmax. */
  mlp?: { inputs: number; hidden: number }
  /** Labels to use instead of random ones. */
  labels?: number[]
  source?: 'python' | 'import' | 'checkpoints'
  meta?: Record<string, unknown>
}

/** The MLP family's forward pass (sigmoid hidden, softmax output), in float64. */
export function mlpForward(arch: MlpArchitecture, w: ArrayLike<number>, x: ArrayLike<number>, P: number): Float64Array {
  const { inputs: I, hidden: H, outputs: C } = arch
  const A = 0
  const a = I * H
  const B = a + H
  const b = B + C * H
  const out = new Float64Array(P * C)
  const h = new Float64Array(H)
  for (let p = 0; p < P; p++) {
    for (let j = 0; j < H; j++) {
      let s = w[a + j]
      for (let i = 0; i < I; i++) s += w[A + i * H + j] * x[p * I + i]
      h[j] = 1 / (1 + Math.exp(-s))
    }
    let max = -Infinity
    for (let k = 0; k < C; k++) {
      let s = w[b + k]
      for (let j = 0; j < H; j++) s += w[B + k * H + j] * h[j]
      out[p * C + k] = s
      max = Math.max(max, s)
    }
    let sum = 0
    for (let k = 0; k < C; k++)
      sum += out[p * C + k] =
        arch.output === 'softmax' ? Math.exp(out[p * C + k] - max) : 1 / (1 + Math.exp(-out[p * C + k]))
    if (arch.output === 'softmax') for (let k = 0; k < C; k++) out[p * C + k] /= sum
  }
  return out
}

/** A whole synthetic run: labels, epochs 0, 1, 2, …, outputs, train_loss/test_error metrics. */
export function syntheticRun(o: SyntheticOptions = {}): WholeRun {
  const N = o.nets ?? 3
  const S = o.snapshots ?? 4
  const P = o.probe ?? 20
  const outputs = o.outputs ?? (o.mlp ? 'probabilities' : 'logits')
  const C = outputs === 'values' ? (o.dim ?? 4) : (o.classes ?? 3)
  const r = rng(o.seed ?? 7)
  const classes = outputs === 'values' ? null : C
  const labels = o.labels ?? Array.from({ length: P }, () => (classes === null ? -1 : Math.floor(r() * C)))
  const out = new Float32Array(N * S * P * C)
  const metricValues = { train_loss: new Float32Array(N * S), test_error: new Float32Array(N * S) }
  let weightValues: Float32Array | undefined
  let probeInputs: WholeRun['probeInputs']
  let weights: WholeRun['weights']
  if (o.mlp) {
    const arch: MlpArchitecture = {
      kind: 'mlp',
      inputs: o.mlp.inputs,
      hidden: o.mlp.hidden,
      outputs: C,
      activation: 'sigmoid',
      output: 'softmax',
    }
    const nParams = arch.inputs * arch.hidden + arch.hidden + C * arch.hidden + C
    weights = { paramCount: nParams, architecture: arch }
    const x = Float32Array.from({ length: P * arch.inputs }, () => r())
    probeInputs = { data: x, shape: [P, arch.inputs] }
    weightValues = new Float32Array(N * S * nParams)
    for (let k = 0; k < N; k++) {
      const w0 = Float32Array.from({ length: nParams }, () => (r() - 0.5) * 2)
      for (let j = 0; j < S; j++) {
        // Weights drift from their start; outputs are what those weights compute.
        const w = weightValues.subarray((k * S + j) * nParams, (k * S + j + 1) * nParams)
        for (let q = 0; q < nParams; q++) w[q] = w0[q] * (1 + 0.5 * j) + 0.1 * j * Math.sin(q + k)
        out.set(mlpForward(arch, w, x, P), (k * S + j) * P * C)
      }
    }
  } else {
    for (let i = 0; i < out.length; i++) out[i] = outputs === 'probabilities' ? 0 : (r() - 0.5) * 4
    if (outputs === 'probabilities') {
      for (let row = 0; row < N * S * P; row++) {
        let sum = 0
        for (let c = 0; c < C; c++) sum += out[row * C + c] = r() + 0.01
        for (let c = 0; c < C; c++) out[row * C + c] /= sum
      }
    }
  }
  for (let i = 0; i < N * S; i++) {
    metricValues.train_loss[i] = 1 / (1 + i)
    metricValues.test_error[i] = (i % 5) / 10
  }
  return {
    id: o.id ?? 'ext-run',
    spec: {
      name: o.id ?? 'ext-run',
      source: o.source ?? 'import',
      nets: N,
      classes,
      outputs,
      probe: P,
      meta: o.meta ?? { model: 'synthetic', lr: 0.1 },
    },
    labels,
    pointShape: [P, C],
    metrics: ['train_loss', 'test_error'],
    epochs: Array.from({ length: S }, (_, j) => j),
    samples: Array.from({ length: S }, (_, j) => j * 100),
    outputs: out,
    metricValues,
    ...(weights ? { weights, weightValues, probeInputs } : {}),
  }
}

/** Writes a synthetic run into the project with the TypeScript writer. */
export async function writeTestExternalRun(
  projectDir: string,
  o: SyntheticOptions = {},
): Promise<{ run: RunArchive; whole: WholeRun }> {
  const whole = syntheticRun(o)
  return { run: await writeExternalRun(projectDir, whole), whole }
}
