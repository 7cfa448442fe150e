import { describe, expect, it } from 'vitest'
import { batches, planInput } from '../../../src/main/checkpoints/shape'
import { probeMetrics, softmaxRows } from '../../../src/main/checkpoints/outputs'

describe('model input plans', () => {
  it('reshapes 28×28 probe items to the model’s item shape, dynamic or fixed batch', () => {
    expect(planInput('x', ['batch', 1, 28, 28], 784, [28, 28])).toEqual({ itemShape: [1, 28, 28], fixedBatch: null })
    expect(planInput('x', [1, 784], 784, [28, 28])).toEqual({ itemShape: [784], fixedBatch: 1 })
    expect(planInput('x', [-1, 784], 784, [28, 28])).toEqual({ itemShape: [784], fixedBatch: null })
    // one symbolic axis besides the batch takes what the item leaves
    expect(planInput('x', ['N', 'C', 28, 28], 784, [28, 28])).toEqual({ itemShape: [1, 28, 28], fixedBatch: null })
  })

  it('names the input, its shape and the probe’s when they do not fit', () => {
    expect(() => planInput('input', ['batch', 3, 32, 32], 784, [28, 28])).toThrow(
      'model input "input" has shape ["batch", 3, 32, 32] but the probe items have shape [28, 28] (784 values each)',
    )
    expect(() => planInput('input', [784], 784, [28, 28])).toThrow(/expected a batch axis followed by the item's shape/)
    expect(() => planInput('input', ['b', 'h', 'w'], 784, [28, 28])).toThrow(/more than one axis besides the batch axis is symbolic/)
  })

  it('covers the probe set with batches', () => {
    expect(batches(10, 4)).toEqual([[0, 4], [4, 4], [8, 2]])
    expect(batches(4, 4)).toEqual([[0, 4]])
  })
})

describe('outputs to τ and metrics', () => {
  it('softmax matches a float64 reference and sums to one', () => {
    const x = Float32Array.from([1, 2, 3, -1000, 0, 1000])
    const p = softmaxRows(x, 3)
    const e = [Math.exp(-2), Math.exp(-1), 1]
    const s = e[0]! + e[1]! + e[2]!
    for (let i = 0; i < 3; i++) expect(Math.abs(p[i]! - e[i]! / s)).toBeLessThan(3e-8) // float32 rounding of the float64 value
    expect([...p.subarray(3)]).toEqual([0, 0, 1])
  })

  it('probe error and cross-entropy skip unknown labels', () => {
    // item 0: argmax 2 (label 2, right); item 1: argmax 0 (label 1, wrong); item 2: unlabelled
    const logits = Float32Array.from([0, 0, 1, 2, 0, 0, 5, 5, 5])
    const [err, loss] = probeMetrics(logits, 3, Int32Array.from([2, 1, -1]), 'logits')
    expect(err).toBe(0.5)
    const ce0 = Math.log(2 + Math.E) - 1
    const ce1 = Math.log(Math.exp(2) + 2) - 0
    expect(loss).toBeCloseTo((ce0 + ce1) / 2, 12)
    const probs = softmaxRows(logits, 3)
    expect(probeMetrics(probs, 3, Int32Array.from([2, 1, -1]), 'probabilities')[1]).toBeCloseTo((ce0 + ce1) / 2, 6)
    expect(probeMetrics(logits, 3, Int32Array.from([-1, -1, -1]), 'logits')).toEqual([NaN, NaN])
  })
})
