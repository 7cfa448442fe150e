import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { embedPaths, type EmbeddedPaths } from '../../../src/main/analysis/paths'
import { Project } from '../../../src/main/archive/project'
import { stabilityFigure } from '../../../src/main/cli/commands/reproduce'
import { ensurePresetRuns, presetStages, type PresetStages } from '../../../src/main/experiments/reproduce'
import { mlpSchedule } from '../../../src/main/experiments/schedule'
import { pngInfo } from '../../../src/main/figures/png'
import { PRESETS, STABILITY_AT } from '../../../src/shared/presets'
import { parseSpec, type MlpSpec } from '../../../src/shared/spec'
import { tempDir } from '../../helpers/tmp'

describe('the stability preset', () => {
  it("puts every spawn point in the parents' schedule and keeps their weights there, at every scale", () => {
    for (const scale of ['full', 'quick'] as const) {
      const st = presetStages(PRESETS.stability, scale)
      const spec = parseSpec(st.runs[0]!.spec) as MlpSpec
      const { epochs } = mlpSchedule(spec, 60_000)
      for (const k of st.spawn!.at) expect(epochs).toContain(k)
      expect(spec.keepWeights).toEqual([...st.spawn!.at, spec.epochs])
    }
    const full = presetStages(PRESETS.stability, 'full')
    expect(full.spawn).toMatchObject({ at: STABILITY_AT, children: 2, from: 'parents' })
    expect(full.runs[0]!.spec).toMatchObject({ nets: 10, epochs: 10, batch: 1, lr: 1 })
  })

  it('runs both stages end to end, scaled down, and reuses them the second time', async () => {
    const root = tempDir()
    const project = await Project.create(`${root}/p.sgdscope`)
    // Few parents, a small network, a tenth of an epoch of batch-10 steps.
    const quick = presetStages(PRESETS.stability, 'quick')
    const at = [0, 0.01, 0.05]
    const stages: PresetStages = {
      runs: [
        {
          label: 'parents',
          spec: {
            kind: 'mlp',
            preset: 'stability',
            name: quick.runs[0]!.spec.name,
            nets: 3,
            hidden: 20,
            batch: 10,
            epochs: 0.1,
            probe: 200,
            trainSubset: 1000,
            snapshots: { at: [0, 0.01, 0.025, 0.05, 0.075, 0.1] },
            keepWeights: [...at, 0.1],
          },
        },
      ],
      spawn: { ...quick.spawn!, at },
    }
    const logs: string[] = []
    const runs = await ensurePresetRuns(project, 'stability', 'quick', { stages, workers: 2, log: (l) => logs.push(l) })
    expect(runs.map((r) => [r.label, r.stage, r.reused])).toEqual([
      ['parents', 'runs', false],
      ['children', 'spawn', false],
    ])
    const child = await project.openRun(runs[1]!.id)
    const s = (child.attrs.spec as MlpSpec).spawn!
    expect(s.parent).toBe(runs[0]!.id)
    expect(s.at).toEqual(at)
    // The spawn points are parent snapshots with kept weights: nothing is replayed.
    expect(s.states).toEqual(['weights', 'weights', 'weights'])
    expect(child.attrs.nets).toBe(3 * 3 * 2)
    // The children keep only their final weights (the preset's keepWeights: 'final').
    expect(child.attrs.weightSnapshots).toEqual([child.attrs.snapshots - 1])

    const out = `${root}/out`
    const lines: string[] = []
    const summary = await stabilityFigure(
      project,
      'stability',
      runs,
      out,
      {},
      { out: (l) => lines.push(l), err: () => {}, signal: new AbortController().signal },
      0.02,
    )
    expect(readFileSync(`${out}/stability.svg`, 'utf8')).toMatch(/spawn point k \(epochs\)/)
    expect(pngInfo(readFileSync(`${out}/stability.png`))).toMatchObject({ dpiX: 300 })
    expect(existsSync(`${out}/stability.pdf`)).toBe(true)
    const text = summary.join('\n')
    expect(text).toMatch(/parents — run \S+: 3 nets 20 hidden/)
    expect(text).toMatch(/children — run \S+ \(spawned|children — run \S+:/)
    // One table row per spawn point, then the verdict.
    for (const k of ['0', '0.01', '0.05']) expect(text).toMatch(new RegExp(`^ {2}${k.replace('.', '\\.')} +\\d`, 'm'))
    expect(text).toMatch(/stable (from k = [\d.]+ epochs|: the mean sibling error barrier never falls)/)

    // The children drawn in their parents' map: the parents' points stay where the parents'
    // own view draws them; every child snapshot is placed, those up to k (the parent's τ)
    // on top of their parent's point.
    const map = await embedPaths(project, { runs: [runs[0]!.id], view: 'tau', method: 'smacof' })
    const placed = await embedPaths(project, {
      runs: [child.id],
      view: 'tau',
      method: 'smacof',
      into: { runs: [runs[0]!.id] },
    })
    expect(placed.runs[1]).toEqual(map.runs[0])
    const S = child.attrs.snapshots
    expect(placed.frozen).toMatchObject({ referencePoints: 3 * S, addedPoints: 18 * S, key: map.key })
    const xy = (r: EmbeddedPaths['runs'][number], net: number, epoch: number) => {
      const p = r.nets.find((n) => n.net === net)!.points.find((q) => Math.abs(q.epoch - epoch) < 1e-9)!
      return [p.x, p.y]
    }
    const all = map.runs[0]!.nets.flatMap((n) => n.points)
    const span = Math.hypot(
      Math.max(...all.map((p) => p.x)) - Math.min(...all.map((p) => p.x)),
      Math.max(...all.map((p) => p.y)) - Math.min(...all.map((p) => p.y)),
    )
    for (let i = 0; i < 18; i++) {
      const [pi, a] = [Math.floor(i / 6), Math.floor(i / 2) % 3]
      const [cx, cy] = xy(placed.runs[0]!, i, at[a]!)
      const [px, py] = xy(map.runs[0]!, pi, at[a]!)
      expect(Math.hypot(cx! - px!, cy! - py!)).toBeLessThan(0.05 * span)
    }

    // The second time both stages are found by their specs and reused.
    const again = await ensurePresetRuns(project, 'stability', 'quick', { stages, workers: 2 })
    expect(again.map((r) => [r.id, r.reused])).toEqual(runs.map((r) => [r.id, true]))
  }, 300_000)
})
