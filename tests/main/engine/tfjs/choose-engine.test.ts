import { describe, expect, it } from 'vitest'
import type { TrainData } from '../../../../src/main/engine/train'
import { fusedThroughput, chooseMlpEngine, tfjsThroughput } from '../../../../src/main/engine/tfjs/choose-engine'
import { selectBackend } from '../../../../src/main/engine/tfjs/backend'
import { parseSpec, type MlpSpec } from '../../../../src/shared/spec'
import { randomData } from './helpers'

const shape = { inputs: 64, hidden: 16, outputs: 10 }
const train = randomData(400, shape, 0.2, 1)
const test = randomData(100, shape, 0.2, 2)
const data: TrainData = {
  train: train.images,
  trainLabels: train.labels,
  test: test.images,
  testLabels: test.labels,
  classes: 10,
}
const spec = (over: Record<string, unknown>) => parseSpec({ nets: 4, hidden: 16, ...over }) as MlpSpec

describe('engine: auto', () => {
  it('batch 1 → fused, without measuring', async () => {
    const c = await chooseMlpEngine(spec({ batch: 1 }), data, { workers: 2 })
    expect(c.engine).toBe('fused')
    expect(c.measured).toBeUndefined()
    expect(c.reason).toMatch(/batch 1/)
  })

  it('larger batches: times both engines and says why (the winner depends on the machine)', async () => {
    const c = await chooseMlpEngine(spec({ batch: 50 }), data, { workers: 2, seconds: 0.05 })
    expect(['fused', 'tfjs']).toContain(c.engine)
    expect(c.measured).toBeDefined()
    const m = c.measured!
    expect(m.fusedPerThread).toBeGreaterThan(0)
    expect(m.tfjsPerGroup).toBeGreaterThan(0)
    expect(m.fusedRun).toBeCloseTo(2 * m.fusedPerThread)
    // Every engine is projected over the cores from its CPU time: native TensorFlow's threads spread over them too.
    expect(m.tfjsRun).toBeCloseTo(2 * m.tfjsPerGroup)
    if (m.backend === 'tensorflow') expect(c.reason).toContain('its CPU time per sample over 2 core(s)')
    expect(c.engine === 'tfjs').toBe(m.tfjsRun > 1.1 * m.fusedRun)
    if (c.engine === 'tfjs') expect(c.backend).toBe(m.backend)
    expect(c.reason).toMatch(/samples\/s measured at batch 50 on 2 thread/)
    // memoised for the process
    expect(await chooseMlpEngine(spec({ batch: 50 }), data, { workers: 2, seconds: 0.05 })).toBe(c)
  })

  it('falls back to fused when no tfjs backend is available', async () => {
    const c = await chooseMlpEngine(spec({ batch: 20 }), data, { backend: 'tensorflow', seconds: 0.05 })
    // tfjs-node is absent here; where it is installed, it is simply measured
    if (c.measured === undefined) {
      expect(c.engine).toBe('fused')
      expect(c.reason).toMatch(/no tfjs backend available/)
    }
  })

  it('throughput probes count every network’s samples', async () => {
    await selectBackend({ backend: 'wasm' })
    const opts = { data, shape, loss: 'mse' as const, batch: 10, seconds: 0.02, minSteps: 3 }
    const f = fusedThroughput(opts)
    expect(f.nets).toBe(1)
    expect(f.steps).toBeGreaterThanOrEqual(3)
    const t = tfjsThroughput({ ...opts, nets: 3, strategy: 'per-net' })
    expect(t.nets).toBe(3)
    expect(t.samplesPerSec).toBeCloseTo(3 * t.perNet)
    expect(t.samplesPerSec).toBeCloseTo((t.steps * 10 * 3) / t.seconds)
  })
})
