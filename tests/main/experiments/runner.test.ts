import { describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import { createRun, liveStatus, trainRun } from '../../../src/main/experiments/runner'
import type { RunArchive } from '../../../src/main/archive/run'
import { tempDir } from '../../helpers/tmp'
import { initParams } from '../../../src/main/engine/mlp'
import { initRng } from '../../../src/main/engine/rng'
import { isNativeInstalled } from '../../../src/main/engine/tfjs/backend'

// Small but real: deskewed MNIST, 3 networks of 20 hidden units, 0.05 epoch
// (3 000 samples each), probe 200 images; per-network shuffling.
const SMALL = {
  nets: 3,
  hidden: 20,
  epochs: 0.05,
  probe: 200,
  trainSubset: 2000,
  snapshots: { firstEpoch: 40 },
}

async function allTau(run: RunArchive): Promise<Buffer> {
  const parts: Buffer[] = []
  for (let k = 0; k < run.attrs.nets; k++)
    for (let j = 0; j < run.attrs.snapshots; j++) parts.push(Buffer.from((await run.readTau(k, j)).buffer))
  return Buffer.concat(parts)
}

describe('training runs', () => {
  const root = tempDir()

  it('same spec twice → identical tau bytes; 1 worker vs 2 → identical', async () => {
    const project = await Project.create(`${root}/det.sgdscope`)
    const a = await createRun(project, SMALL)
    expect(await trainRun(project, a.id, { workers: 1 })).toBe('complete')
    const b = await createRun(project, SMALL)
    expect(await trainRun(project, b.id, { workers: 2 })).toBe('complete')
    const c = await createRun(project, SMALL)
    expect(await trainRun(project, c.id, { workers: 0 })).toBe('complete')
    const [ta, tb, tc] = [
      await allTau(await project.openRun(a.id)),
      await allTau(await project.openRun(b.id)),
      await allTau(await project.openRun(c.id)),
    ]
    expect(ta.length).toBe(3 * 3 * 200 * 10 * 4)
    expect(ta.equals(tb)).toBe(true)
    expect(ta.equals(tc)).toBe(true)
    // Networks differ from one another (different seeds per network).
    const run = await project.openRun(a.id)
    expect(Buffer.from((await run.readTau(0, 2)).buffer).equals(Buffer.from((await run.readTau(1, 2)).buffer))).toBe(
      false,
    )
    // Metrics are recorded for every (net, snapshot) and errors are fractions.
    const m = await run.readMetrics()
    expect(m.every((x) => Number.isFinite(x))).toBe(true)
    const testErrors = Array.from(
      { length: 3 },
      (_, k) => m[(k * run.attrs.snapshots + run.attrs.snapshots - 1) * 4 + 3],
    )
    for (const e of testErrors) expect(e).toBeLessThan(0.5)
  })

  it('interrupted, then resumed → identical to uninterrupted; status is kept true', async () => {
    const project = await Project.create(`${root}/resume.sgdscope`)
    const spec = { ...SMALL, momentum: 0.5, batch: 4, epochs: 0.3 }
    const ref = await createRun(project, spec)
    await trainRun(project, ref.id, { workers: 2 })

    const run = await createRun(project, spec)
    const ac = new AbortController()
    let seen = 0
    const status = await trainRun(project, run.id, {
      workers: 2,
      signal: ac.signal,
      onSnapshot: () => {
        if (++seen >= 5) ac.abort()
      },
    })
    expect(status).toBe('interrupted')
    const partial = await project.openRun(run.id)
    const prog = await partial.progress()
    expect(prog.done).toBeGreaterThanOrEqual(5)
    expect(prog.done).toBeLessThan(prog.total)
    expect(await liveStatus(partial)).toBe('interrupted')

    // Progress after the resume continues from the archive's count, never below it, and is
    // counted over the whole run: the numbers the summary and the app show.
    const events: { done: number; total: number; nets?: number }[] = []
    expect(
      await trainRun(project, run.id, {
        workers: 1,
        onProgress: (p) => events.push({ done: p.snapshotsDone, total: p.snapshotsTotal, nets: p.netsDone }),
      }),
    ).toBe('complete')
    expect(events.length).toBeGreaterThan(0)
    expect(events[0]!.done).toBeGreaterThanOrEqual(prog.done)
    for (let i = 1; i < events.length; i++) expect(events[i]!.done).toBeGreaterThanOrEqual(events[i - 1]!.done)
    expect(events.at(-1)).toEqual({ done: prog.total, total: prog.total, nets: 3 })
    const [a, b] = [await allTau(await project.openRun(ref.id)), await allTau(await project.openRun(run.id))]
    expect(a.equals(b)).toBe(true)
  })

  it('a run left `running` by a dead process reads as interrupted', async () => {
    const project = await Project.create(`${root}/dead.sgdscope`)
    const run = await createRun(project, { ...SMALL, nets: 1 })
    await run.update({ status: 'running' })
    expect(await liveStatus(await project.openRun(run.id))).toBe('interrupted')
  })

  it('the stochastic model converges, faster with uniform than with Zipf picking', async () => {
    const project = await Project.create(`${root}/sto.sgdscope`)
    const spec = { kind: 'stochastic', nets: 3, dim: 200, steps: 4000, recordEvery: 1000 } as const
    const u = await createRun(project, { ...spec, picking: 'uniform' })
    const z = await createRun(project, { ...spec, picking: 'zipf' })
    await trainRun(project, u.id)
    await trainRun(project, z.id)
    const norms = async (id: string) => Array.from(await (await project.openRun(id)).readMetrics())
    const nu = await norms(u.id)
    const nz = await norms(z.id)
    // 5 snapshots per vector: the norm falls monotonically.
    for (let k = 0; k < 3; k++) for (let j = 1; j < 5; j++) expect(nu[k * 5 + j]).toBeLessThanOrEqual(nu[k * 5 + j - 1])
    // Same initial vectors (same seed), so the same starting norm…
    expect(nz[0]).toBeCloseTo(nu[0], 5)
    // …but Zipf leaves the rarely picked coordinates untouched: far less progress.
    expect(nz[4] / nz[0]).toBeGreaterThan(nu[4] / nu[0])
    // Expected remaining norm² with uniform picking: each coordinate keeps (1 − ε(2−ε)/D)^steps of its square.
    const expected = Math.sqrt(Math.pow(1 - (0.1 * 1.9) / 200, 4000))
    const mean = (nu[4] / nu[0] + nu[9] / nu[5] + nu[14] / nu[10]) / 3
    expect(mean).toBeGreaterThan(expected * 0.8)
    expect(mean).toBeLessThan(expected * 1.25)
  })

  it('keeps weight snapshots: the initial weights are the seeded init, the final ones the saved state', async () => {
    const project = await Project.create(`${root}/weights.sgdscope`)
    const run = await createRun(project, { ...SMALL, nets: 2, keepWeights: [0, 0.05] })
    await trainRun(project, run.id, { workers: 1 })
    const r = await project.openRun(run.id)
    const S = r.attrs.snapshots
    expect(r.attrs.weightSnapshots).toEqual([0, S - 1])
    const shape = { inputs: 784, hidden: 20, outputs: 10 }
    for (let k = 0; k < 2; k++) {
      const w0 = await r.readWeights(k, 0)
      expect(Array.from(w0!)).toEqual(Array.from(initParams(shape, 'torch7', 0.01, initRng(1, k))))
      const wEnd = await r.readWeights(k, S - 1)
      expect(Array.from(wEnd!)).toEqual(Array.from((await r.readState(k))!.state))
      expect(await r.readWeights(k, 1)).toBeNull()
    }
  })

  it('the tfjs engine trains a run through the same runner, to the fused engine’s τ within round-off', async () => {
    const project = await Project.create(`${root}/tfjs.sgdscope`)
    const spec = { ...SMALL, nets: 2, batch: 10, epochs: 0.02 }
    const t = await createRun(project, { ...spec, engine: 'tfjs' })
    expect(await trainRun(project, t.id, { workers: 2 })).toBe('complete')
    const f = await createRun(project, { ...spec, engine: 'fused' })
    await trainRun(project, f.id, { workers: 1 })
    const tr = await project.openRun(t.id)
    expect(tr.attrs.engine).toMatchObject({ name: 'tfjs', backend: isNativeInstalled() ? 'tensorflow' : 'wasm' })
    expect((await project.openRun(f.id)).attrs.engine).toMatchObject({ name: 'fused', backend: 'wasm-simd' })
    let max = 0
    for (let k = 0; k < 2; k++)
      for (let j = 0; j < tr.attrs.snapshots; j++) {
        const a = await tr.readTau(k, j)
        const b = await f.readTau(k, j)
        for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]))
      }
    expect(max).toBeLessThan(1e-5)
  })

  it('a bad spec is refused with the field named, and nothing is created', async () => {
    const project = await Project.create(`${root}/bad.sgdscope`)
    await expect(createRun(project, { lr: 'fast' })).rejects.toThrow(/lr/)
    expect(await project.runIds()).toEqual([])
  })
})
