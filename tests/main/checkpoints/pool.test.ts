import * as path from 'node:path'
import { writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { evaluateFiles, CancelledError, type EvaluatedCheckpoint } from '../../../src/main/checkpoints/pool'
import { loadProbe } from '../../../src/main/checkpoints/probe'
import { checkpointFixtures, torchMissing } from './fixtures'
import { tempDir } from '../../helpers/tmp'

const missing = torchMissing()
if (missing) console.warn(`skipping checkpoint evaluation against PyTorch: ${missing}`)

describe.skipIf(missing !== null)('checkpoint worker pool (onnxruntime-web) against PyTorch', () => {
  it('gives PyTorch’s logits for every checkpoint, dynamic and fixed batch axes', async () => {
    const fx = checkpointFixtures()
    const probe = await loadProbe('mnist:1000')
    const entries = [
      ...fx.manifest.layouts.cnn.map((e) => ({ e, dir: 'cnn' })),
      ...fx.manifest.layouts.mlp.map((e) => ({ e, dir: 'mlp' })),
    ]
    const got = new Map<number, EvaluatedCheckpoint>()
    await evaluateFiles(
      entries.map(({ e, dir }) => path.join(fx.dir, dir, e.file)),
      { inputs: probe.inputs, count: probe.count, probeShape: probe.shape, batch: 300 },
      (r) => void got.set(r.index, r),
      { workers: 2 },
    )
    expect(got.size).toBe(entries.length)
    let maxAbs = 0
    entries.forEach(({ e }, i) => {
      const r = got.get(i)!
      expect(r.outputShape).toEqual([10])
      const want = fx.expected(e)
      expect(r.outputs.length).toBe(want.length)
      for (let k = 0; k < want.length; k++) maxAbs = Math.max(maxAbs, Math.abs(r.outputs[k]! - want[k]!))
    })
    expect(got.get(0)!.modelInput).toEqual(['batch', 1, 28, 28])
    expect(got.get(entries.length - 1)!.modelInput).toEqual([1, 784])
    console.log(
      `max |ONNX Runtime − PyTorch| over ${entries.length} checkpoints × 1000 × 10 logits: ${maxAbs.toExponential(2)}`,
    )
    expect(maxAbs).toBeLessThan(1e-5)
  })

  it('stops at the first unreadable checkpoint, naming the file', async () => {
    const dir = tempDir('sgdscope-ckpt-pool-')
    const bad = path.join(dir, 'net0_epoch1.onnx')
    writeFileSync(bad, 'not a model')
    const probe = await loadProbe('mnist:10')
    const fx = checkpointFixtures()
    const files = [path.join(fx.dir, 'cnn', fx.manifest.layouts.cnn[0]!.file), bad]
    await expect(
      evaluateFiles(files, { inputs: probe.inputs, count: 10, probeShape: probe.shape, batch: 8 }, () => {}, {
        workers: 1,
      }),
    ).rejects.toThrow(`${bad} is not a loadable ONNX model (11 bytes)`)
  })

  it('cancels: the promise rejects with CancelledError and no result arrives after it', async () => {
    const fx = checkpointFixtures()
    const probe = await loadProbe('mnist:1000')
    const files = Array.from({ length: 12 }, (_, i) => path.join(fx.dir, 'cnn', fx.manifest.layouts.cnn[i % 3]!.file))
    const ac = new AbortController()
    let results = 0
    let afterCancel = 0
    const p = evaluateFiles(
      files,
      { inputs: probe.inputs, count: probe.count, probeShape: probe.shape, batch: 100 },
      () => {
        if (ac.signal.aborted) afterCancel++
        if (++results === 1) ac.abort()
      },
      { workers: 2, signal: ac.signal },
    )
    await expect(p).rejects.toBeInstanceOf(CancelledError)
    expect(results).toBeLessThan(files.length)
    expect(afterCancel).toBe(0)
  })
})
