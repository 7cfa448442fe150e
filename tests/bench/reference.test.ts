/**
 * The C reference of `npm run bench -- engine` (bench/reference/mlp.c) computes what the
 * fused engine computes: from the same initial parameters and sample order, the same
 * parameters after thousands of steps, to float32 round-off (both compute in float64 and
 * store float32; only the order of a few float64 sums differs). Without a C compiler the
 * bench says so instead, and so does this test.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { FusedMlp, initParams, type Loss } from '../../src/main/engine/mlp'
import { epochOrder, initRng } from '../../src/main/engine/rng'
import type { SparseImages } from '../../src/main/engine/sparse'
import type { TrainData } from '../../src/main/engine/train'
import { loadTrainData } from '../../src/main/experiments/data'
import { buildReference, runReference } from '../../bench/reference'
import { maxAbsDiff } from '../main/engine/tfjs/helpers'

const build = buildReference()
let data: TrainData
let images: SparseImages
beforeAll(async () => {
  data = (await loadTrainData({ source: 'mnist', deskew: true })).data
  // The first 5 000 images: the reference reads them from a file, and 5 000 are enough.
  const n = 5000
  const nnz = data.train.indptr[n]!
  images = {
    count: n,
    dim: data.train.dim,
    indptr: data.train.indptr.subarray(0, n + 1),
    indices: data.train.indices.subarray(0, nnz),
    values: data.train.values.subarray(0, nnz),
  }
})

describe('the C reference', () => {
  it(`builds here (${build.ok ? build.compiler : build.reason})`, () => {
    if (!build.ok) expect(build.reason).toMatch(/C compiler|could not build/)
  })

  it.runIf(build.ok).each([
    ['mse', 1, 2000, 1],
    ['cross-entropy', 1, 2000, 0.1],
    ['mse', 100, 50, 10],
    ['cross-entropy', 100, 50, 1],
  ] as const)('%s, batch %i, %i steps, η = %s: the fused engine’s parameters', (loss: Loss, batch, steps, lr) => {
    const shape = { inputs: data.train.dim, hidden: 50, outputs: data.classes }
    const params = initParams(shape, 'torch7', 1, initRng(7, 0))
    const order = epochOrder(images.count, 7, 0, 0)
    const ref = runReference(build.ok ? build.bin : '', {
      images,
      labels: data.trainLabels,
      shape,
      loss,
      batch,
      lr,
      params,
      order,
      steps,
    })
    expect(ref.samples).toBe(batch * steps)
    expect(ref.cpuSeconds).toBeGreaterThan(0)
    expect(ref.wallSeconds).toBeGreaterThan(0)

    const fused = new FusedMlp(shape, loss, params.slice())
    let lossSum = 0
    for (let s = 0; s < steps; s++)
      lossSum += fused.step(images, data.trainLabels, order.subarray(s * batch, (s + 1) * batch), lr) * batch
    // The parameters moved (a reference that did nothing would agree with the start too).
    expect(maxAbsDiff(fused.params, params)).toBeGreaterThan(1e-3)
    // Measured here (gcc 12, -O3 -march=native): bit-identical in all four cases. Another
    // compiler may contract a float64 sum into an FMA: an ulp here and there.
    expect(maxAbsDiff(ref.params, fused.params)).toBeLessThan(1e-6)
    expect(ref.meanLoss).toBeCloseTo(lossSum / (batch * steps), 6)
  })

  it.runIf(build.ok)('a malformed input is refused with a message, not a crash', () => {
    const shape = { inputs: data.train.dim, hidden: 4, outputs: 10 }
    expect(() =>
      runReference(build.ok ? build.bin : '', {
        images,
        labels: data.trainLabels,
        shape,
        loss: 'mse',
        batch: 1,
        lr: 0.1,
        params: new Float32Array(3),
        order: new Uint32Array(1),
        steps: 1,
      }),
    ).toThrow(/expected \d+ parameters, got 3/)
  })
})
