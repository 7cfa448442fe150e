import { describe, expect, it, beforeAll } from 'vitest'
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { Project } from '../../../../src/main/archive/project'
import { createRun, trainRun } from '../../../../src/main/experiments/runner'
import { barrier, barrierSummary, keptSnapshots } from '../../../../src/main/analysis/beyond/barrier'
import { subproblems } from '../../../../src/main/analysis/beyond/subproblems'
import { weightVsFunction } from '../../../../src/main/analysis/beyond/weight-function'
import { renderBeyondFigure } from '../../../../src/main/figures/beyond'
import { COMMANDS, UsageError } from '../../../../src/main/cli/commands'
import { loadTrainData } from '../../../../src/main/experiments/data'
import { predictions } from '../../../../src/main/analysis/beyond/confusion'
import { tempDir } from '../../../helpers/tmp'

// Small but real: deskewed MNIST, 3 networks of 12 hidden units, 0.05 epoch (3 000
// samples each) with 20 snapshots inside it, probe 200 images, every snapshot's weights kept.
const SPEC = {
  nets: 3,
  hidden: 12,
  epochs: 0.05,
  probe: 200,
  trainSubset: 1000,
  snapshots: { firstEpoch: 400 },
  keepWeights: 'all',
}

describe('beyond the paper on a small real run', () => {
  const root = tempDir()
  let project: Project
  let runId: string
  let noWeights: string

  beforeAll(async () => {
    project = await Project.create(path.join(root, 'beyond.sgdscope'))
    const run = await createRun(project, SPEC)
    expect(await trainRun(project, run.id, { workers: 1 })).toBe('complete')
    runId = run.id
    const bare = await createRun(project, { ...SPEC, nets: 2, epochs: 0.01, keepWeights: 'none' })
    await trainRun(project, bare.id, { workers: 1 })
    noWeights = bare.id
  })

  it('subproblems: errors from the probe τ, fits, spectrum and correlation', async () => {
    const r = await subproblems(project, runId, { kind: 'all', curves: true, detail: true, minImages: 2 })
    const run = await project.openRun(runId)
    expect(r.source).toBe('probe')
    expect(r.probe).toBe(200)
    expect(r.classes).toBe(10)
    expect(r.epochs).toHaveLength(run.attrs.snapshots)
    expect(r.subproblems).toHaveLength(100)
    expect(r.counts.tracked).toBeGreaterThan(30)
    expect(r.counts.inSpectrum).toBeGreaterThan(0)
    expect(r.rates.perNet).toHaveLength(3)
    for (const p of r.rates.perNet)
      for (let i = 1; i < p.rates.length; i++) expect(p.rates[i]).toBeLessThanOrEqual(p.rates[i - 1])
    expect(r.fitQuality.exponential.fitted).toBeGreaterThan(0)
    expect(r.rankCorrelation.pairs).toBe(3)
    expect(r.rankCorrelation.mean).toBeGreaterThanOrEqual(-1)
    expect(r.rankCorrelation.mean).toBeLessThanOrEqual(1)
    expect(r.fits).toHaveLength(3)
    // The per-class error at the last snapshot agrees with an argmax count on the probe set.
    const { data } = await loadTrainData(run.attrs.spec.kind === 'mlp' ? run.attrs.spec.dataset : ({} as never))
    const S = run.attrs.snapshots
    const k = predictions(await run.readTau(1, S - 1), 200, 10)
    const labels = data.testLabels.subarray(0, 200)
    const of3 = Array.from(labels).filter((l) => l === 3).length
    const wrong3 = Array.from(labels).filter((l, i) => l === 3 && k[i] !== 3).length
    expect(r.curves!.runs[0]!.series[3]!.name).toBe('class 3 error')
    expect(r.curves!.runs[0]!.series[3]!.perNet[1]![S - 1]).toBeCloseTo(wrong3 / of3, 12)
    // The overall probe error is the class-weighted mean of the class errors; it falls.
    const classErr = (j: number) =>
      r.subproblems
        .filter((s) => s.kind === 'class')
        .reduce((acc, s, c) => acc + s.images * r.curves!.runs[0]!.series[c]!.perNet[0]![j]!, 0) / 200
    expect(classErr(S - 1)).toBeLessThan(classErr(0))
    expect(JSON.parse(JSON.stringify(r)).runId).toBe(runId)
  })

  it('barrier between two networks, before and after alignment', async () => {
    const run = await project.openRun(runId)
    const S = run.attrs.snapshots
    expect(await keptSnapshots(run, [0, 1])).toHaveLength(S)
    const r = await barrier(project, runId, { nets: [0, 1], points: 11, count: 1000 })
    expect(r.snapshot).toBe(S - 1)
    expect(r.alphas).toHaveLength(11)
    expect(r.evaluatedOn).toEqual({ set: 'test', count: 1000 })
    expect(r.before.loss).toHaveLength(11)
    expect(r.before.barrierLoss).toBeGreaterThanOrEqual(0)
    expect(r.after.barrierLoss).toBeGreaterThanOrEqual(0)
    expect([...r.permutation].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, h) => h))
    expect(r.weightDistance.after).toBeLessThanOrEqual(r.weightDistance.before)
    // The endpoints are the networks themselves: their test error on those 1000 images.
    expect(r.after.loss[0]).toBeCloseTo(r.before.loss[0], 12)
    expect(r.after.loss[10]).toBeCloseTo(r.before.loss[10], 5)
    expect(r.figure.before[0]!.loss).toEqual(r.before.loss)
    const early = await barrier(project, runId, { nets: [2, 0], snapshot: 3, points: 5, count: 200 })
    expect(early.snapshot).toBe(3)
    await expect(barrier(project, runId, { nets: [0, 0] })).rejects.toThrow(/two different/)
    await expect(barrier(project, runId, { nets: [0, 7] })).rejects.toThrow(/network 7 is not in this run/)
    await expect(barrier(project, noWeights, { nets: [0, 1] })).rejects.toThrow(/keeps no weights/)
  })

  it('barrier summary over all pairs', async () => {
    const r = await barrierSummary(project, runId, { count: 500, points: 5 })
    expect(r.pairs.map((p) => p.nets)).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
    ])
    expect(r.loss.before.max).toBeGreaterThanOrEqual(r.loss.before.min)
    expect(r.figure.before).toHaveLength(3)
  })

  it('weight space vs function space over the kept snapshots', async () => {
    const S = (await project.openRun(runId)).attrs.snapshots
    const fin = await weightVsFunction(project, runId, {})
    const each = await weightVsFunction(project, runId, { alignment: 'each' })
    expect(fin.figure.pairs).toHaveLength(3)
    expect(fin.alignedAt).toBe(S - 1)
    expect(fin.kept).toHaveLength(S)
    for (let p = 0; p < 3; p++) {
      const a = fin.figure.pairs[p]!
      const b = each.figure.pairs[p]!
      for (let j = 0; j < S; j++) {
        expect(b.weightAligned[j]!).toBeLessThanOrEqual(a.weightRaw[j]! + 1e-9)
        expect(b.weightAligned[j]!).toBeLessThanOrEqual(a.weightAligned[j]! + 1e-9)
        expect(a.tau[j]).toBeGreaterThan(0)
      }
      expect(a.weightAligned[S - 1]).toBeCloseTo(b.weightAligned[S - 1]!, 9)
    }
    expect(fin.last.epoch).toBeCloseTo(0.05, 9)
    await expect(weightVsFunction(project, noWeights, {})).rejects.toThrow(/no snapshot with kept weights/)
  })

  it('figures render through the headless exporter', async () => {
    const svg = (await renderBeyondFigure(project, runId, { kind: 'rates', spectrum: 'all', minImages: 2 }, 'svg'))
      .content as string
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg).toContain('Zipf s = 1')
    const pdf = (
      await renderBeyondFigure(project, runId, { kind: 'barrier', nets: [0, 1], points: 5, count: 300 }, 'pdf', {
        widthIn: 7.16,
      })
    ).content as Buffer
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    const png = (
      await renderBeyondFigure(project, runId, { kind: 'weightVsFunction', logX: true }, 'png', { dpi: 100 })
    ).content as Buffer
    expect(png.subarray(1, 4).toString()).toBe('PNG')
  })

  it('CLI commands print summaries, JSON and figures', async () => {
    const lines: string[] = []
    const errs: string[] = []
    const io = {
      out: (l: string) => lines.push(l),
      err: (l: string) => errs.push(l),
      signal: new AbortController().signal,
    }
    const command =
      (name: 'subproblems' | 'barrier' | 'distances') => (positionals: string[], v: Record<string, string | boolean>) =>
        COMMANDS[name].run(positionals, { project: project.dir, ...v }, io)
    const [subproblemsCommand, barrierCommand, distancesCommand] = [
      command('subproblems'),
      command('barrier'),
      command('distances'),
    ]
    expect(await subproblemsCommand([runId.slice(0, 25)], { kind: 'all', 'min-images': '2' })).toBe(0)
    expect(lines.join('\n')).toMatch(/rate spectrum .*rank-wise median/)
    expect(lines.join('\n')).toMatch(/rank correlation of rates between networks \(Spearman\): mean/)
    expect(lines.join('\n')).toMatch(/fit quality: exponential median R²/)
    lines.length = 0
    const out = path.join(root, 'barrier.svg')
    expect(await barrierCommand(['1'], { nets: '0,1', points: '5', count: '300', out })).toBe(0)
    expect(lines.join('\n')).toMatch(/before alignment/)
    expect(lines.join('\n')).toMatch(/after alignment/)
    expect((await fs.readFile(out, 'utf8')).startsWith('<svg')).toBe(true)
    lines.length = 0
    expect(await barrierCommand(['1'], { nets: '0-2', points: '3', count: '100', json: true })).toBe(0)
    expect(JSON.parse(lines[0]!).pairs).toHaveLength(3)
    lines.length = 0
    expect(await distancesCommand(['1'], {})).toBe(0)
    expect(lines.join('\n')).toMatch(/weights .* aligned; τ/)
    await expect(barrierCommand(['1'], {})).rejects.toBeInstanceOf(UsageError)
    await expect(barrierCommand(['1'], { nets: '0,x' })).rejects.toThrow(/--nets takes/)
    await expect(subproblemsCommand(['1'], { model: 'cubic' })).rejects.toThrow(/--model must be exponential or power/)
    await expect(subproblemsCommand([], {})).rejects.toThrow(/needs a run/)
  })
})
