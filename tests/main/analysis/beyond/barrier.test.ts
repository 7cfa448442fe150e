import { describe, expect, it } from 'vitest'
import { permuteHidden } from '../../../../src/main/analysis/beyond/assignment'
import { barrierHeight, interpolate, lossAlongLine, pairBarrier } from '../../../../src/main/analysis/beyond/barrier'
import { linspace } from '../../../../src/main/analysis/beyond/stats'
import { Rng } from '../../../../src/main/engine/rng'
import { randomPermutation, syntheticData, trainedNetwork } from './helpers'

const shape = { inputs: 40, hidden: 16, outputs: 4 }
const train = syntheticData(400, shape.inputs, shape.outputs, 7)
const test = syntheticData(300, shape.inputs, shape.outputs, 8)
const evalSet = { set: 'test' as const, images: test.images, labels: test.labels, count: 300 }
const alphas = linspace(0, 1, 21)

describe('barrier height', () => {
  it('is the largest excess over the chord between the endpoints', () => {
    const a = [0, 0.25, 0.5, 0.75, 1]
    expect(barrierHeight([1, 1.5, 2, 2.1, 2], a)).toEqual({ height: 0.5, at: 0.5 }) // chord 1 → 2
    expect(barrierHeight([1, 1, 1, 1, 1], a).height).toBe(0)
    expect(barrierHeight([1, 0.5, 0.2, 0.5, 1], a).height).toBe(0) // below the chord
  })
  it('interpolates parameters linearly', () => {
    expect(Array.from(interpolate([0, 2, -4], [4, 2, 0], 0.25))).toEqual([1, 2, -3])
  })
})

describe('barriers between a network and its permuted copy', () => {
  const wa = trainedNetwork(shape, train, 3000)

  it('the network has learnt the task (so a barrier can show)', () => {
    const r = lossAlongLine(wa, wa, shape, 'mse', evalSet, [0])
    expect(r.error[0]).toBeLessThan(0.05)
  })

  it('is zero after alignment, and not before', () => {
    for (const seed of [1, 2]) {
      const wb = permuteHidden(wa, shape, randomPermutation(shape.hidden, new Rng(seed)))
      const r = pairBarrier(wa, wb, shape, 'mse', evalSet, alphas)
      // Endpoints compute the same function.
      expect(r.before.loss[0]).toBeCloseTo(r.before.loss[20], 10)
      // After alignment the line is a single point: loss constant, barrier zero.
      expect(r.after.barrierLoss).toBeLessThan(1e-9)
      expect(r.after.barrierError).toBe(0)
      for (const l of r.after.loss) expect(l).toBeCloseTo(r.after.loss[0], 9)
      expect(r.weightDistance.after).toBe(0)
      expect(r.moved).toBeGreaterThan(0)
      // Before: averaging unrelated hidden units costs loss in between (this easy task's
      // error may survive it).
      expect(r.before.barrierLoss).toBeGreaterThan(0.01)
    }
  })

  it('between two networks trained from different starts, alignment lowers the barrier', () => {
    const wb = trainedNetwork(shape, train, 3000, 17)
    const r = pairBarrier(wa, wb, shape, 'mse', evalSet, alphas)
    expect(r.weightDistance.after).toBeLessThan(r.weightDistance.before)
    expect(r.after.barrierLoss).toBeLessThan(r.before.barrierLoss)
  })
})
