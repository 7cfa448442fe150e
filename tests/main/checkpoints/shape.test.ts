import { describe, expect, it } from 'vitest'
import { batches, planInput } from '../../../src/main/checkpoints/shape'
import { probeMetrics } from '../../../src/main/checkpoints/outputs'

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
    expect(() => planInput('input', ['b', 'h', 'w'], 784, [28, 28])).toThrow(
      /more than one axis besides the batch axis is symbolic/,
    )
  })

  it('covers the probe set with batches', () => {
    expect(batches(10, 4)).toEqual([
      [0, 4],
      [4, 4],
      [8, 2],
    ])
    expect(batches(4, 4)).toEqual([[0, 4]])
  })
})

describe('probe metrics', () => {
  it('probe error and cross-entropy skip unknown labels', () => {
    // item 0: argmax 2 (label 2, right); item 1: argmax 0 (label 1, wrong); item 2: unlabelled
    const logits = Float32Array.from([0, 0, 1, 2, 0, 0, 5, 5, 5])
    const [err, loss] = probeMetrics(logits, 3, Int32Array.from([2, 1, -1]), 'logits')
    expect(err).toBe(0.5)
    const ce0 = Math.log(2 + Math.E) - 1
    const ce1 = Math.log(Math.exp(2) + 2) - 0
    expect(loss).toBeCloseTo((ce0 + ce1) / 2, 12)
    const probs = Float32Array.from(logits, (x, i) => {
      const r = Math.floor(i / 3) * 3
      return Math.exp(x) / (Math.exp(logits[r]!) + Math.exp(logits[r + 1]!) + Math.exp(logits[r + 2]!))
    })
    expect(probeMetrics(probs, 3, Int32Array.from([2, 1, -1]), 'probabilities')[1]).toBeCloseTo((ce0 + ce1) / 2, 6)
    expect(probeMetrics(logits, 3, Int32Array.from([-1, -1, -1]), 'logits')).toEqual([NaN, NaN])
  })
})
