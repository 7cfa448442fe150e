/** M-PHATE of hidden units: activations, the trace set, matching two networks, what it refuses. */
import { describe, expect, it } from 'vitest'
import { Project } from '../../../../src/main/archive/project'
import { chooseTrace, evenlySpaced, hiddenActivations, mphateRun } from '../../../../src/main/analysis/beyond/mphate'
import { paramCount, type MlpShape } from '../../../../src/main/engine/mlp'
import { createRun, trainRun } from '../../../../src/main/experiments/runner'
import { tempDir } from '../../../helpers/tmp'
import { permutedRun } from './mphate-run'

const sig = (z: number) => 1 / (1 + Math.exp(-z))

describe('hidden activations', () => {
  it('equal a hand-computed forward pass (one hidden layer, input-major A)', () => {
    // 2 inputs → 2 hidden → 1 output. A[i][h] at i·2 + h, then a, B, b.
    const shape: MlpShape = { inputs: 2, hidden: 2, outputs: 1 }
    const w = [0.5, -1, 2, 0.25, 0.1, -0.2, 9, 9, 9]
    const x = [1, 0, 0.5, 2] // two inputs
    const A = hiddenActivations(w, shape, 'sigmoid', x, 2)
    // unit 0: 0.1 + 0.5·x0 + 2·x1; unit 1: −0.2 − 1·x0 + 0.25·x1
    expect(Array.from(A)).toEqual([
      sig(0.1 + 0.5 * 1 + 2 * 0),
      sig(0.1 + 0.5 * 0.5 + 2 * 2),
      sig(-0.2 - 1 * 1 + 0.25 * 0),
      sig(-0.2 - 1 * 0.5 + 0.25 * 2),
    ])
    const relu = hiddenActivations(w, shape, 'relu', x, 2)
    expect(Array.from(relu)).toEqual([0.6, 4.35, 0, 0])
  })

  it('follow deeper layers: W [out][in] and biases after the first layer, units of every layer in order', () => {
    const shape: MlpShape = { inputs: 1, hidden: 2, outputs: 1, deeper: [1] }
    // A (1×2), a (2), W (1×2), c (1), B (1×1), b (1)
    const w = [1, -1, 0, 0.5, 2, 3, -1, 7, 7]
    expect(paramCount(shape)).toBe(w.length)
    const [h0, h1, g] = hiddenActivations(w, shape, 'tanh', [0.3], 1)
    expect(h0).toBeCloseTo(Math.tanh(0.3), 15)
    expect(h1).toBeCloseTo(Math.tanh(0.5 - 0.3), 15)
    expect(g).toBeCloseTo(Math.tanh(-1 + 2 * Math.tanh(0.3) + 3 * Math.tanh(0.2)), 15)
  })

  it('picks the first items of each class and evenly spaced snapshots', () => {
    expect(chooseTrace([2, 0, 0, 1, 0, 2, -1, 1, 1], 3, 2)).toEqual([0, 1, 2, 3, 5, 7])
    expect(evenlySpaced([0, 1, 2, 3, 4, 5, 6], 3)).toEqual([0, 3, 6])
    expect(evenlySpaced([4, 9], 5)).toEqual([4, 9])
  })
})

describe('M-PHATE of a run', () => {
  it('matches the units of a permuted copy exactly: the same picture, unit for unit', async () => {
    const dir = `${tempDir()}/mphate.sgdscope`
    const project = await Project.create(dir)
    const { pi, S } = await permutedRun(dir)
    const stages = new Set<string>()
    const r = await mphateRun(project, 'perm', { nets: [0, 1], perClass: 10, onProgress: (s) => stages.add(s) })
    expect(r.trace).toMatchObject({ count: 30, perClass: 10, classes: 3 })
    expect(r.trace.probeIndices).toEqual(Array.from({ length: 30 }, (_, i) => i))
    expect(r.snapshots).toEqual([0, 1, 2, 3, 4])
    expect(r.units).toBe(6)
    // b's unit h is a's unit pi[h]: a's unit h is matched to b's unit pi⁻¹[h].
    const inverse = new Array<number>(6)
    pi.forEach((g, h) => (inverse[g] = h))
    expect(r.matching!.permutation).toEqual(inverse)
    expect(r.matching!.procrustesResidual).toBeLessThan(1e-9)
    const [a, b] = r.figure.networks
    expect(a!.x).toHaveLength(S * 6)
    for (let i = 0; i < S * 6; i++) {
      expect(b!.x[i]).toBeCloseTo(a!.x[i]!, 9)
      expect(b!.y[i]).toBeCloseTo(a!.y[i]!, 9)
    }
    expect(b!.topClass).toEqual(a!.topClass)
    expect(r.perNet[0]!.diffusionTime).toBe(r.perNet[1]!.diffusionTime)
    expect(r.figure.layers).toEqual([1, 1, 1, 1, 1, 1])
    expect(r.options).toEqual({ intrasliceKnn: 2, intersliceKnn: 25, decay: 5, gamma: 0 })
    expect([...stages]).toEqual(expect.arrayContaining(['activations (network 0)', 'potential (network 1)']))
  })

  it('says what is missing: probe inputs, weights at several snapshots, a second network to match', async () => {
    const dir = `${tempDir()}/mphate-missing.sgdscope`
    const project = await Project.create(dir)
    await permutedRun(dir, false)
    await expect(mphateRun(project, 'perm')).rejects.toMatchObject({
      code: 'conflict',
      details: { reason: 'not-applicable' },
      message: expect.stringMatching(/records no probe_inputs/),
    })
    await expect(mphateRun(project, 'perm', { nets: [0, 0] })).rejects.toThrow(/two different networks/)
    await expect(mphateRun(project, 'perm', { nets: [0, 5] })).rejects.toThrow(/network 5 is not in this run/)
    const a = await createRun(project, {
      nets: 2,
      hidden: 8,
      epochs: 0.02,
      probe: 60,
      trainSubset: 500,
      snapshots: { firstEpoch: 50 },
    })
    await trainRun(project, a.id)
    await expect(mphateRun(project, a.id)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/needs weights at several: start a run with Keep weights set to “every snapshot”/),
    })
  }, 120_000)

  it('embeds an in-app MLP kept at every snapshot, bounded to maxPoints', async () => {
    const dir = `${tempDir()}/mphate-app.sgdscope`
    const project = await Project.create(dir)
    const a = await createRun(project, {
      nets: 2,
      hidden: 8,
      epochs: 0.05,
      probe: 100,
      trainSubset: 1000,
      keepWeights: 'all',
      snapshots: { firstEpoch: 50 },
    })
    await trainRun(project, a.id)
    const S = a.attrs.snapshots
    expect(S).toBeGreaterThan(3)
    const r = await mphateRun(project, a.id, { nets: [1], maxPoints: 8 * 3 })
    expect(r.snapshots).toHaveLength(3)
    expect(r.snapshots[0]).toBe(0)
    expect(r.snapshots[2]).toBe(S - 1)
    expect(r.trace.classes).toBe(10)
    // The first 100 test images hold at most 10 of each class.
    expect(r.trace.count).toBeGreaterThan(50)
    expect(r.trace.count).toBeLessThanOrEqual(100)
    expect(r.figure.networks[0]!.x).toHaveLength(24)
    expect(r.figure.networks[0]!.topClass.every((c) => c >= 0 && c < 10)).toBe(true)
    expect(r.activation).toBe('sigmoid')
    await expect(mphateRun(project, a.id, { maxPoints: 10 })).rejects.toThrow(/cannot hold 2 snapshots of 8 units/)
  }, 120_000)
})
