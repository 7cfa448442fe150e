/** A recorded run for the M-PHATE tests: two networks, the second a copy of the first with permuted hidden units. */
import { writeExternalRun } from '../../../../src/main/archive/external-run'
import { permuteHidden } from '../../../../src/main/analysis/beyond/assignment'
import { initParams, paramCount } from '../../../../src/main/engine/mlp'
import { Rng } from '../../../../src/main/engine/rng'
import { randomPermutation } from './helpers'

/** A recorded run of two networks, the second a copy of the first with its hidden units permuted. */
export async function permutedRun(dir: string, withInputs = true) {
  const shape = { inputs: 12, hidden: 6, outputs: 3 }
  const rng = new Rng(5)
  const P = 36
  const labels = Array.from({ length: P }, (_, i) => i % 3)
  const inputs = new Float32Array(P * 12)
  for (let i = 0; i < P; i++)
    for (let p = 0; p < 12; p++) inputs[i * 12 + p] = (p >> 2 === labels[i] ? 0.8 : 0) + 0.3 * rng.next()
  const S = 5
  const pi = randomPermutation(6, rng)
  const n = paramCount(shape)
  const weights = new Float32Array(2 * S * n)
  let w = initParams(shape, 'torch7', 0, new Rng(11))
  for (let j = 0; j < S; j++) {
    // A drift over the snapshots, so that the slices differ.
    w = w.map((v, q) => v + 0.3 * Math.sin(q + j)) as Float32Array
    weights.set(w, j * n)
    weights.set(permuteHidden(w, shape, pi), (S + j) * n)
  }
  await writeExternalRun(dir, {
    id: 'perm',
    spec: { nets: 2, classes: 3, outputs: 'probabilities', probe: P, source: 'python' },
    labels,
    epochs: [0, 1, 2, 3, 4],
    outputs: new Float32Array(2 * S * P * 3).fill(1 / 3),
    ...(withInputs ? { probeInputs: { data: inputs, shape: [P, 12] } } : {}),
    weights: {
      paramCount: n,
      architecture: { kind: 'mlp', ...shape, activation: 'sigmoid', output: 'sigmoid' },
    },
    weightValues: weights,
  })
  return { pi, S }
}
