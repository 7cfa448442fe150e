import { describe, expect, it } from 'vitest'
import {
  alignHidden,
  maxSimilarityAssignment,
  permuteHidden,
  unitSimilarity,
  weightDistance,
} from '../../../../src/main/analysis/beyond/assignment'
import { FusedMlp, initParams, paramOffsets } from '../../../../src/main/engine/mlp'
import { Rng } from '../../../../src/main/engine/rng'
import { randomPermutation, syntheticData } from './helpers'

const shape = { inputs: 30, hidden: 12, outputs: 5 }

describe('linear sum assignment (the linear-sum-assignment package)', () => {
  it('finds the maximum-similarity assignment of a small matrix', () => {
    // Best: 0→2 (9), 1→0 (8), 2→1 (7) = 24; the greedy choice 0→2, then 1→1 … is worse.
    const S = [1, 2, 9, 8, 6, 1, 2, 7, 3]
    expect(Array.from(maxSimilarityAssignment(S, 3))).toEqual([2, 0, 1])
  })
  it('recovers a hidden permutation from a permuted identity-like similarity', () => {
    const rng = new Rng(11)
    const n = 40
    const pi = randomPermutation(n, rng)
    const S = new Float64Array(n * n)
    for (let h = 0; h < n; h++) for (let g = 0; g < n; g++) S[h * n + g] = (g === pi[h] ? 5 : 0) + rng.uniform(0, 1)
    expect(Array.from(maxSimilarityAssignment(S, n))).toEqual(Array.from(pi))
  })
  it('refuses a matrix of the wrong size', () => {
    expect(() => maxSimilarityAssignment([1, 2, 3], 2)).toThrow(/2×2/)
  })
})

describe('weight matching of hidden units', () => {
  const wa = initParams(shape, 'torch7', 0, new Rng(5))

  it('permuting hidden units leaves the function unchanged', () => {
    const pi = randomPermutation(shape.hidden, new Rng(1))
    const wb = permuteHidden(wa, shape, pi)
    expect(weightDistance(wa, wb)).toBeGreaterThan(0.1)
    const { images, labels } = syntheticData(50, shape.inputs, shape.outputs)
    const oa = new Float32Array(50 * shape.outputs)
    const ob = new Float32Array(50 * shape.outputs)
    const ra = new FusedMlp(shape, 'mse', wa.slice()).evaluate(images, labels, 0, 50, oa)
    const rb = new FusedMlp(shape, 'mse', wb).evaluate(images, labels, 0, 50, ob)
    expect(rb.errors).toBe(ra.errors)
    for (let i = 0; i < oa.length; i++) expect(ob[i]).toBeCloseTo(oa[i], 6)
  })

  it('recovers a known permutation of hidden units exactly', () => {
    for (const seed of [1, 2, 3]) {
      const pi = randomPermutation(shape.hidden, new Rng(seed))
      const wb = permuteHidden(wa, shape, pi) // b's unit h is a's unit pi[h]
      const { perm, aligned } = alignHidden(wa, wb, shape)
      // a's unit h is b's unit pi⁻¹[h]
      const inverse = new Int32Array(shape.hidden)
      pi.forEach((g, h) => (inverse[g] = h))
      expect(Array.from(perm)).toEqual(Array.from(inverse))
      expect(Array.from(aligned)).toEqual(Array.from(wa))
    }
  })

  it('similarity sums incoming weights, bias and outgoing weights (input-major A)', () => {
    const S = unitSimilarity(wa, wa, shape)
    const off = paramOffsets(shape)
    const h = 4
    let want = wa[off.a + h] ** 2
    for (let i = 0; i < shape.inputs; i++) want += wa[off.A + i * shape.hidden + h] ** 2
    for (let k = 0; k < shape.outputs; k++) want += wa[off.B + k * shape.hidden + h] ** 2
    expect(S[h * shape.hidden + h]).toBeCloseTo(want, 10)
  })

  it('alignment never increases the weight distance (it minimises it over permutations)', () => {
    const wb = initParams(shape, 'torch7', 0, new Rng(99))
    const { aligned } = alignHidden(wa, wb, shape)
    expect(weightDistance(wa, aligned)).toBeLessThan(weightDistance(wa, wb))
    // … and no other permutation tried at random does better.
    const best = weightDistance(wa, aligned)
    const rng = new Rng(4)
    for (let t = 0; t < 200; t++)
      expect(weightDistance(wa, permuteHidden(wb, shape, randomPermutation(shape.hidden, rng)))).toBeGreaterThanOrEqual(
        best - 1e-9,
      )
  })
})
