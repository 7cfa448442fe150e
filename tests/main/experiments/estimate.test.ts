import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { checkDatasetFiles } from '../../../src/main/datasets/check'
import {
  estimateSpec,
  measureEngineSpeed,
  preflightSpec,
  sampleFlops,
  type EngineSpeed,
} from '../../../src/main/experiments/estimate'
import { parseSpec, type MlpSpec } from '../../../src/shared/spec'
import { idxBytes } from '../datasets/helpers'

const dir = mkdtempSync(join(tmpdir(), 'sgdscope-estimate-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const file = (name: string, bytes: Uint8Array) => {
  const p = join(dir, name)
  writeFileSync(p, bytes)
  return p
}
const images = (n: number, side = 4) => idxBytes([n, side, side], new Array<number>(n * side * side).fill(1))
const labels = (n: number) =>
  idxBytes(
    [n],
    Array.from({ length: n }, (_, i) => i % 3),
  )
const files = {
  trainImages: file('train-im', images(40)),
  trainLabels: file('train-lab.gz', gzipSync(labels(40))),
  testImages: file('test-im.gz', gzipSync(images(20))),
  testLabels: file('test-lab', labels(20)),
}
/** A speed chosen for round numbers (the real one is measured by the job pool). */
const SPEED: EngineSpeed = { trainPerSec: 1e6, evalPerSec: 2e6, stochasticStepsPerSec: 1e8, kernel: 'test' }

describe('dataset files checked before Start', () => {
  it('reads the shape from the headers and the classes from the labels', () => {
    expect(checkDatasetFiles({ source: 'idx', deskew: false, ...files })).toEqual({
      issues: [],
      shape: { trainCount: 40, testCount: 20, inputs: 16, classes: 3 },
    })
  })
  it('puts each problem on its field: missing, not IDX, a label file as images, counts that differ', () => {
    const bad = {
      source: 'idx' as const,
      deskew: false,
      trainImages: join(dir, 'nope'),
      trainLabels: file('text', new TextEncoder().encode('hello world')),
      testImages: files.testLabels,
      testLabels: files.testLabels,
    }
    const byField = Object.fromEntries(checkDatasetFiles(bad).issues.map((i) => [i.path, i.message]))
    expect(byField['dataset.trainImages']).toMatch(/nope: cannot read: no such file/)
    expect(byField['dataset.trainLabels']).toMatch(/text: bad magic/)
    expect(byField['dataset.testImages']).toMatch(/expected an image file with 3 dimensions.*is this a label file\?/)
    const counts = checkDatasetFiles({ ...bad, ...files, testLabels: file('test-lab-21', labels(21)) }).issues
    expect(counts.map((i) => [i.path, i.message])).toEqual([
      ['dataset.testLabels', expect.stringMatching(/image count ≠ label count: .* has 20 images but .* has 21 labels/)],
    ])
  })
  it('finds a truncated file from its size, plain or gzipped (the length gzip records at its end)', () => {
    const plain = checkDatasetFiles({
      source: 'idx',
      deskew: false,
      ...files,
      testImages: file('cut', images(20).subarray(0, 100)),
    })
    expect(plain.issues[0]!.message).toMatch(/cut: file has 100 bytes, header declares 336 .*truncated\?/)
    // A header declaring 20 images over the data of 10.
    const gz = gzipSync(idxBytes([20, 4, 4], new Array<number>(10 * 16).fill(1)))
    const zipped = checkDatasetFiles({ source: 'idx', deskew: false, ...files, testImages: file('cut.gz', gz) })
    expect(zipped.issues[0]!.message).toMatch(/cut\.gz: inflates to 176 bytes, header declares 336 .*truncated\?/)
  })
})

describe('estimate of a spec', () => {
  const spec = parseSpec({
    nets: 2,
    hidden: 10,
    probe: 50,
    trainSubset: 100,
    epochs: 1,
    snapshots: { firstEpoch: 2 },
    keepWeights: 'all',
    dataset: { source: 'idx', ...files },
  }) as MlpSpec
  const shape = { trainCount: 40, testCount: 20, inputs: 16, classes: 3 }
  it('sizes the archive exactly: τ, weights, metrics, flags and resume state', () => {
    // Snapshots at epochs 0, 0.5, 1: S = 3. P = min(50, 20) = 20 probe images, C = 3.
    // Parameters: (16 + 1)·10 + (10 + 1)·3 = 203.
    const e = estimateSpec(spec, shape, SPEED, 1)
    expect(e.snapshots).toBe(3)
    expect(e.disk.tau).toBe(2 * 3 * 20 * 3 * 4) // 1 440 bytes of float32
    expect(e.disk.weights).toBe(2 * 3 * 203 * 4) // 4 872
    expect(e.disk.state).toBe(2 * (1 + 203) * 4) // 1 632
    expect(e.disk.other).toBe(2 * 3 * (4 * 4 + 1)) // 102
    expect(e.disk.total).toBe(1440 + 4872 + 1632 + 102)
    expect(estimateSpec({ ...spec, keepWeights: 'final' }, shape, SPEED, 1).disk.weights).toBe(2 * 1 * 203 * 4)
    expect(estimateSpec({ ...spec, keepWeights: [0.4] }, shape, SPEED, 1).weightSnapshots).toBe(1)
    expect(estimateSpec({ ...spec, keepWeights: 'none' }, shape, SPEED, 1).disk.weights).toBe(0)
    expect(e.memory.analysis).toBe((2 * 3) ** 2 * 8)
  })
  it('counts every layer’s FLOPs (hand-computed)', () => {
    const paper = { batch: 1, momentum: 0, weightDecay: 0, nesterov: false }
    // 784-100-10 on 150 non-zeros: forward 2·100·150 + 2·100·10 = 32 000; backward 2·100·150 +
    // 4·100·10 = 34 000; plain SGD's update 2·(150·100 + 100·10 + 110 biases) = 32 220.
    expect(sampleFlops({ inputs: 784, widths: [100], outputs: 10, nonZeros: 150 }, paper)).toEqual({
      forward: 32_000,
      train: 32_000 + 34_000 + 32_220,
    })
    // 784-100-100-10: dense 100·100 + 100·10 = 11 000 multiply-adds; forward 30 000 + 22 000;
    // backward 30 000 + 44 000; update 2·(15 000 + 11 000 + 210).
    expect(sampleFlops({ inputs: 784, widths: [100, 100], outputs: 10, nonZeros: 150 }, paper)).toEqual({
      forward: 52_000,
      train: 52_000 + 74_000 + 52_420,
    })
    // 16-10-5-3 on 8 non-zeros, batch 4 with momentum, Nesterov and weight decay: every one of the
    // 16·10 + 10·5 + 5·3 + 18 = 243 parameters costs 8 per batch, a quarter of it per sample.
    const deep = sampleFlops(
      { inputs: 16, widths: [10, 5], outputs: 3, nonZeros: 8 },
      { batch: 4, momentum: 0.9, weightDecay: 1e-4, nesterov: true },
    )
    expect(deep).toEqual({ forward: 160 + 130, train: 290 + (160 + 260) + (8 * 243) / 4 })
  })
  it('times training and evaluation from the measured FLOP rate of the kernel that trains the network, shared by threads', () => {
    // 16-10-3 on 8 non-zeros (half of 16 inputs: not MNIST): forward 2·10·8 + 2·10·3 = 220,
    // train 220 + (160 + 120) + 2·(8·10 + 30 + 13) = 746 FLOPs. The measured speed is of
    // 784-100-10: 98 220 FLOPs per training sample, 32 000 per evaluated one.
    const trainRate = 1e6 * 98_220
    const evalRate = 2e6 * 32_000
    // 40 samples trained; 3 snapshots each evaluating 40 train-subset + 20 test images.
    const perNet = (40 * 746) / trainRate + (3 * 60 * 220) / evalRate
    expect(estimateSpec(spec, shape, SPEED, 1).seconds).toBeCloseTo(2 * perNet, 15)
    expect(estimateSpec(spec, shape, SPEED, 2).seconds).toBeCloseTo(perNet, 15)
    expect(estimateSpec(spec, shape, SPEED, 8).threads).toBe(2)
  })
  it('deep networks: every layer counted, at the deep kernel’s measured rate', () => {
    const deepSpec = { ...spec, hidden: [10, 5] }
    // 16-10-5-3: forward 160 + 2·65 = 290, train 290 + (160 + 260) + 2·(80 + 65 + 18) = 1 036;
    // the deep kernel measured on 784-100-100-10: 178 420 FLOPs per training sample, 52 000 per evaluated one.
    const speed: EngineSpeed = { ...SPEED, deep: { trainPerSec: 1e5, evalPerSec: 3e5, kernel: 'ts' } }
    const perNet = (40 * 1036) / (1e5 * 178_420) + (3 * 60 * 290) / (3e5 * 52_000)
    const e = estimateSpec(deepSpec, shape, speed, 1)
    expect(e.seconds).toBeCloseTo(2 * perNet, 15)
    expect(e.basis).toMatch(/784-100-100-10, ts kernel/)
    // Without a deep measurement (an older speed record), the one-layer kernel's FLOP rate.
    expect(estimateSpec(deepSpec, shape, SPEED, 1).seconds).toBeCloseTo(
      2 * ((40 * 1036) / (1e6 * 98_220) + (3 * 60 * 290) / (2e6 * 32_000)),
      15,
    )
  })
  it('measures the deep kernel too, through the engine’s trainer', () => {
    const m = measureEngineSpeed(0.05)
    expect(m.deep!.trainPerSec).toBeGreaterThan(0)
    expect(m.deep!.evalPerSec).toBeGreaterThan(m.deep!.trainPerSec / 10)
    expect(['ts', 'wasm']).toContain(m.deep!.kernel)
  })
  it('asks for confirmation above an hour or 5 GB, and says which', () => {
    const big = parseSpec({ nets: 1000, epochs: 200, keepWeights: 'all' })
    const e = estimateSpec(big, { trainCount: 60_000, testCount: 10_000, inputs: 784, classes: 10 }, SPEED, 2)
    expect(e.confirm).toBe('more than an hour of training and more than 5 GB on disk')
    expect(estimateSpec(spec, shape, SPEED, 1).confirm).toBeNull()
  })
  it('preflight: the spec’s problems and the files’ together; an estimate only for a spec without any', async () => {
    let measured = 0
    const speed = async () => (measured++, SPEED)
    const bad = await preflightSpec({ lr: -1, dataset: { source: 'idx', ...files, trainImages: '/no/such' } }, 1, speed)
    expect(bad.problems.map((p) => p.path).sort()).toEqual(['dataset.trainImages', 'lr'])
    expect(bad.estimate).toBeNull()
    expect(measured).toBe(0)
    const good = await preflightSpec({ ...spec, kind: 'mlp' }, 1, speed)
    expect(good.problems).toEqual([])
    expect(good.estimate?.disk.tau).toBe(1440)
  })
})
