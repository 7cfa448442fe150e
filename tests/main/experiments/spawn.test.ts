import { describe, expect, it } from 'vitest'
import { ApiError } from '../../../src/shared/api/errors'
import { Project } from '../../../src/main/archive/project'
import type { RunArchive } from '../../../src/main/archive/run'
import { loadTrainData } from '../../../src/main/experiments/data'
import { createRun, trainRun } from '../../../src/main/experiments/runner'
import { createSpawnRun, planSpawn } from '../../../src/main/experiments/spawn'
import { NetTrainer } from '../../../src/main/engine/train'
import { stability } from '../../../src/main/analysis/beyond/stability'
import type { MlpSpec } from '../../../src/shared/spec'
import { tempDir } from '../../helpers/tmp'

// Small but real: deskewed MNIST, 2 networks of 20 hidden units, 0.1 epoch in snapshots of
// 1/40 epoch (0, 0.025, …, 0.1), batch 10, every snapshot's weights kept.
const PARENT = {
  nets: 2,
  hidden: 20,
  batch: 10,
  epochs: 0.1,
  probe: 200,
  trainSubset: 1000,
  snapshots: { firstEpoch: 40 },
  keepWeights: 'all',
  engine: 'fused',
}

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)
async function tauOf(run: RunArchive, net: number): Promise<Buffer[]> {
  const out: Buffer[] = []
  for (let j = 0; j < run.attrs.snapshots; j++) out.push(Buffer.from(bytes(await run.readTau(net, j))))
  return out
}

describe('spawning children from a run', () => {
  const root = tempDir()
  let project: Project
  let parent: RunArchive
  let withMomentum: RunArchive

  it('trains the parents', async () => {
    project = await Project.create(`${root}/spawn.sgdscope`)
    parent = await createRun(project, PARENT)
    expect(await trainRun(project, parent.id, { workers: 2 })).toBe('complete')
    withMomentum = await createRun(project, { ...PARENT, momentum: 0.9, keepWeights: 'final' })
    expect(await trainRun(project, withMomentum.id, { workers: 2 })).toBe('complete')
    parent = await project.openRun(parent.id)
    withMomentum = await project.openRun(withMomentum.id)
    expect(parent.attrs.snapshots).toBe(5)
  })

  it('replaying a parent to k gives its recorded weights at k, bit for bit', async () => {
    const spec = parent.attrs.spec as MlpSpec
    const { data } = await loadTrainData(spec.dataset)
    const samples = (await parent.readTimes()).samples
    const t = new NetTrainer(spec, data, 1)
    t.advance(0, samples[2]!)
    expect(bytes(t.mlp.readParams()).equals(bytes((await parent.readWeights(1, 2))!))).toBe(true)
  })

  it("a child with its parent's own order reproduces the parent byte for byte, from kept weights and by replay", async () => {
    for (const [p, replay] of [
      [parent, false],
      [parent, true],
      [withMomentum, false],
    ] as const) {
      const child = await createSpawnRun(project, {
        parent: p.id,
        at: [0.02, 0.05],
        children: 2,
        noise: { kind: 'none' },
        replay,
      })
      const s = (child.attrs.spec as MlpSpec).spawn!
      // Spawn points move to the parent's snapshots at or after them; momentum forces a replay.
      expect(s.at).toEqual([0.025, 0.05])
      expect(s.states).toEqual(p === withMomentum || replay ? ['replay', 'replay'] : ['weights', 'weights'])
      expect(s.parent).toBe(p.id)
      expect(await trainRun(project, child.id, { workers: 2 })).toBe('complete')
      const done = await project.openRun(child.id)
      expect(done.attrs.nets).toBe(2 * 2 * 2)
      for (let i = 0; i < 8; i++) {
        const parentNet = Math.floor(i / 4)
        expect(await tauOf(done, i)).toEqual(await tauOf(p, parentNet))
      }
      const m = await done.readMetricsAt(5, 4)
      expect(Array.from(m)).toEqual(Array.from(await p.readMetricsAt(1, 4)))
    }
  }, 600_000) // three spawned runs trained: minutes on a loaded machine

  it('children with a new order follow their parent to k, then differ; kept weights and replay agree', async () => {
    const req = { parent: parent.id, at: [0.05], children: 2, nets: [1], noise: { kind: 'order' as const } }
    const a = await createSpawnRun(project, req)
    const b = await createSpawnRun(project, { ...req, replay: true })
    for (const r of [a, b]) expect(await trainRun(project, r.id, { workers: 2 })).toBe('complete')
    const [ra, rb] = [await project.openRun(a.id), await project.openRun(b.id)]
    const pt = await tauOf(parent, 1)
    const [c0, c1] = [await tauOf(ra, 0), await tauOf(ra, 1)]
    for (let j = 0; j <= 2; j++) {
      expect(c0[j]).toEqual(pt[j])
      expect(c1[j]).toEqual(pt[j])
    }
    for (let j = 3; j < 5; j++) {
      expect(c0[j]!.equals(pt[j]!)).toBe(false)
      expect(c0[j]!.equals(c1[j]!)).toBe(false)
    }
    expect(await tauOf(rb, 0)).toEqual(c0)
    expect(await tauOf(rb, 1)).toEqual(c1)
  })

  it('a perturbed child differs from its parent from the spawn point on, the same way every time', async () => {
    const req = {
      parent: parent.id,
      at: [0.05],
      children: 1,
      nets: [0],
      noise: { kind: 'perturb' as const, sigma: 0.01 },
    }
    const runs = [await createSpawnRun(project, req), await createSpawnRun(project, req)]
    for (const r of runs) expect(await trainRun(project, r.id, { workers: 1 })).toBe('complete')
    const [x, y] = [
      await tauOf(await project.openRun(runs[0]!.id), 0),
      await tauOf(await project.openRun(runs[1]!.id), 0),
    ]
    const pt = await tauOf(parent, 0)
    expect(x[1]).toEqual(pt[1])
    expect(x[2]!.equals(pt[2]!)).toBe(false) // perturbed before the spawn point's snapshot
    expect(y).toEqual(x)
  })

  it('stability: siblings that share everything are one network; strangers are not', async () => {
    const same = await createSpawnRun(project, {
      parent: parent.id,
      at: [0, 0.05],
      children: 2,
      noise: { kind: 'none' },
    })
    const fresh = await createSpawnRun(project, {
      parent: parent.id,
      at: [0, 0.05],
      children: 2,
      noise: { kind: 'order' },
    })
    for (const r of [same, fresh]) expect(await trainRun(project, r.id, { workers: 2 })).toBe('complete')
    const seen: number[] = []
    const a = await stability(project, same.id, { count: 500, onProgress: (d) => seen.push(d) })
    expect(seen.at(-1)).toBe(2 * (2 + 1)) // per point: 2 sibling pairs, 1 stranger pair
    for (const pt of a.points) {
      expect(pt.siblings.errorBarrier.before.max).toBe(0)
      expect(pt.siblings.lossBarrier.after.max).toBe(0)
      expect(pt.siblings.tauDistance.every((d) => d === 0)).toBe(true)
      expect(pt.siblings.kappaDisagreement.every((d) => d === 0)).toBe(true)
      expect(pt.strangers!.tauDistance.every((d) => d > 0)).toBe(true)
    }
    expect(a.firstStable).toEqual({ mean: 0, perParent: [0, 0] })
    const b = await stability(project, fresh.id, { count: 500 })
    expect(b.points.map((p) => p.at)).toEqual([0, 0.05])
    expect(b.points[1]!.epochs).toEqual([0.05, 0.075, 0.1])
    for (const pt of b.points) {
      // Siblings start as one network at k and drift apart with their own orders.
      expect(pt.siblings.tauDistance[0]).toBe(0)
      expect(pt.siblings.tauDistance.at(-1)!).toBeGreaterThan(0)
      expect(pt.perParent).toHaveLength(2)
    }
    // Strangers at k are the two parents at k: their τ distance, by hand.
    const [t0, t1] = [await parent.readTau(0, 2), await parent.readTau(1, 2)]
    let s2 = 0
    for (let i = 0; i < t0.length; i++) s2 += (t0[i]! - t1[i]!) ** 2
    expect(b.points[1]!.strangers!.tauDistance[0]).toBeCloseTo(Math.sqrt(s2), 4)
    const e = await stability(project, parent.id).catch((x: unknown) => x)
    expect((e as Error).message).toMatch(/was not spawned from another run/)
  })

  it('refuses requests that cannot be carried out, saying why', async () => {
    const expectBad = async (req: Parameters<typeof planSpawn>[1], text: RegExp) => {
      const e = await planSpawn(parent, req).catch((x: unknown) => x)
      expect(e).toBeInstanceOf(ApiError)
      expect((e as Error).message).toMatch(text)
    }
    await expectBad({ parent: parent.id, at: [0.1], children: 1 }, /at or after the parent's last snapshot/)
    await expectBad({ parent: parent.id, at: [0.03, 0.04], children: 1 }, /both the parent's snapshot/)
    await expectBad({ parent: parent.id, at: [0], children: 1, nets: [2] }, /no network 2/)
    await expectBad({ parent: parent.id, at: [0], children: 0 }, /children/)
    await expectBad({ parent: parent.id, at: [0.05], children: 1, epochs: 0.05 }, /children's end/)
  })
})

describe('sgdscope spawn', () => {
  const root = tempDir()
  it('spawns and trains from the command line, shows the link in info, and names what is wrong', async () => {
    const { runCli } = await import('../../helpers/cli-in-process')
    const P = `${root}/cli.sgdscope`
    const base = ['--project', P]
    let r = await runCli([
      'run',
      '--nets',
      '2',
      '--hidden',
      '10',
      '--epochs',
      '0.05',
      '--probe',
      '100',
      '--set',
      'snapshots.firstEpoch=40',
      '--set',
      'trainSubset=500',
      ...base,
    ])
    expect(r.code).toBe(0)
    r = await runCli(['spawn', '1', '--at', '0,0.025', '--children', '2', '--nets', '1', '--dry-run', ...base])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(
      /1 parent network\(s\) × 2 spawn point\(s\) \(epochs 0, 0.025\) × 2 = 4 children; states from 0: replay, 0.025: replay/,
    )
    r = await runCli(['spawn', '1', '--at', '0.025', '--children', '1', '--noise', 'perturb:0.001', ...base])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/: complete/)
    r = await runCli(['stability', '2', ...base])
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/one child per parent and spawn point: stability compares siblings/)
    expect((await runCli(['spawn', '1', '--at', '0,0.025', '--children', '2', '--noise', 'none', ...base])).code).toBe(
      0,
    )
    r = await runCli(['stability', '3', '--count', '300', '--out', `${root}/stability.svg`, ...base])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/^ {2}0 +0\.00% \(0\.00%–0\.00%\) +0\.00%/m)
    expect(r.out).toMatch(
      /stable from k = 0 epochs: the first spawn point whose mean sibling error barrier is below 2\.00% \(per parent: 0–0, median 0\)/,
    )
    expect(r.out).toMatch(/wrote .*stability\.svg \(SVG, 3\.50 ×/)
    const { readFileSync } = await import('node:fs')
    expect(readFileSync(`${root}/stability.svg`, 'utf8')).toMatch(/spawn point k \(epochs\)/)
    r = await runCli(['info', '2', ...base])
    expect(r.out).toMatch(
      /spawned {3}from \S+, networks 0,1 at epochs 0.025, 1 per point \(perturbed, σ = 0.001\); states from replay/,
    )
    for (const [args, text] of [
      [['spawn', '1', ...base], /needs --at/],
      [['spawn', '1', '--at', 'x', ...base], /--at takes epochs/],
      [['spawn', '1', '--at', '0', '--noise', 'shuffle', ...base], /--noise takes order, none or perturb/],
      [['spawn', '1', '--at', '0', '--nets', '5', ...base], /no network 5/],
      [['spawn', '1', '--at', '0', '--children', '0', ...base], /--children takes a whole number/],
    ] as const) {
      const e = await runCli([...args])
      expect(e.code).toBe(2)
      expect(e.err).toMatch(text)
    }
  })
})
