/**
 * Every analysis of the service on runs recorded outside sgdscope, with numbers checked
 * against what the recorded outputs, labels and weights say.
 */
import { promises as fs } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { Service } from '../../../src/main/service'
import { FileSettingsStore } from '../../../src/main/settings'
import { writeExternalRun } from '../../../src/main/archive/external-run'
import { loadDataset } from '../../../src/main/datasets/registry'
import { parseSpec, type MlpSpec } from '../../../src/shared/spec'
import { tempDir } from '../../helpers/tmp'
import { syntheticRun, writeTestExternalRun } from '../../helpers/external'

const root = tempDir()
const dir = `${root}/ext.sgdscope`
const service = new Service({ host: 'browser', settings: new FileSettingsStore(`${root}/config`) })

const argmax = (row: ArrayLike<number>) => {
  let b = 0
  for (let c = 1; c < row.length; c++) if (row[c] > row[b]) b = c
  return b
}
/** κ of net k at snapshot j of a synthetic run: argmax of the recorded outputs per item. */
function kappa(w: ReturnType<typeof syntheticRun>, k: number, j: number): number[] {
  const [P, C] = w.pointShape!
  const S = w.epochs.length
  const out = w.outputs as Float32Array
  return Array.from({ length: P }, (_, p) =>
    argmax(out.subarray(((k * S + j) * P + p) * C, ((k * S + j) * P + p + 1) * C)),
  )
}

describe('service on recorded runs', () => {
  const logits = syntheticRun({
    id: 'rec-logits',
    nets: 3,
    snapshots: 4,
    probe: 30,
    classes: 4,
    source: 'python',
    meta: { model: 'cnn', lr: 0.05 },
  })
  const mlp = syntheticRun({
    id: 'rec-mlp',
    nets: 3,
    snapshots: 3,
    probe: 25,
    classes: 3,
    mlp: { inputs: 6, hidden: 4 },
  })
  const values = syntheticRun({ id: 'rec-values', nets: 2, snapshots: 3, probe: 10, outputs: 'values', dim: 3 })

  it('lists recorded runs with their source and metadata', async () => {
    for (const w of [logits, mlp, values]) await writeExternalRun(dir, w)
    await service.request('project.open', { dir })
    const runs = await service.request('runs.list', {})
    const r = runs.find((x) => x.id === 'rec-logits')!
    expect(r).toMatchObject({
      kind: 'external',
      status: 'complete',
      nets: 3,
      snapshots: 4,
      done: 12,
      total: 12,
      external: { source: 'python', meta: { model: 'cnn', lr: 0.05 } },
    })
    expect(r.summary).toMatch(/recorded externally \(python\)/)
    const d = await service.request('runs.get', { runId: 'rec-logits' })
    expect(d.epochs).toEqual([0, 1, 2, 3])
    expect(d.metricNames).toEqual(['train_loss', 'test_error'])
    await expect(service.request('runs.resume', { runId: 'rec-logits' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/recorded outside sgdscope/),
      details: { reason: 'not-applicable', run: 'rec-logits' },
    })
    await expect(
      service.request('runs.start', {
        spec: { kind: 'external', source: 'python', nets: 1, classes: 2, outputs: 'logits', probe: 2 },
      }),
    ).rejects.toMatchObject({
      code: 'bad-input',
      details: { issues: [{ path: 'spec.kind' }] },
    })
  })

  it('κ distances are those of the argmax of the recorded outputs; the probe error is the labels’ mismatch', async () => {
    const m = await service.request('runs.metrics', { runId: 'rec-logits', view: 'kappa' })
    const [P] = logits.pointShape!
    for (let j = 0; j < 4; j++) {
      let sum = 0
      for (const [a, b] of [
        [0, 1],
        [0, 2],
        [1, 2],
      ]) {
        const ka = kappa(logits, a, j)
        const kb = kappa(logits, b, j)
        sum += ka.filter((x, p) => x !== kb[p]).length / P
      }
      expect(m.derived.meanPairwise[j]).toBeCloseTo(sum / 3, 10)
    }
    // The memory-of-initialisation metric: step / spread, defined after the first snapshot.
    expect(m.derived.stepToSpread.slice(1).every(Number.isFinite)).toBe(true)
    const probe = m.data.runs[0].series.find((s) => s.name === 'probe_error')!
    for (let k = 0; k < 3; k++)
      for (let j = 0; j < 4; j++) {
        const kk = kappa(logits, k, j)
        const wrong = kk.filter((x, p) => x !== logits.labels[p]).length
        expect(probe.perNet[k][j]).toBeCloseTo(wrong / P, 12)
      }
  })

  it('τ distances are those of the softmaxed outputs, and the paths embed with either view', async () => {
    const m = await service.request('runs.metrics', { runId: 'rec-logits', view: 'tau' })
    const [P, C] = logits.pointShape!
    const soft = (k: number, j: number) => {
      const raw = (logits.outputs as Float32Array).subarray((k * 4 + j) * P * C, (k * 4 + j + 1) * P * C)
      const out: number[] = []
      for (let p = 0; p < P; p++) {
        const e = Array.from(raw.subarray(p * C, (p + 1) * C), Math.exp)
        const s = e.reduce((a, b) => a + b, 0)
        out.push(...e.map((x) => x / s))
      }
      return out
    }
    const dist = (x: number[], y: number[]) => Math.sqrt(x.reduce((s, v, i) => s + (v - y[i]) ** 2, 0))
    expect(m.derived.meanPairwise[2]).toBeCloseTo(
      (dist(soft(0, 2), soft(1, 2)) + dist(soft(0, 2), soft(2, 2)) + dist(soft(1, 2), soft(2, 2))) / 3,
      5,
    )
    for (const view of ['tau', 'kappa'] as const) {
      const e = await service.request('paths.embed', { runs: ['rec-logits'], view, method: 'classical' })
      expect(e.points).toBe(12)
      expect(e.runs[0].nets.map((n) => n.points.length)).toEqual([4, 4, 4])
      // No test_error column? It has one here: colour by it.
      expect(e.runs[0].nets[0].points[0].testError).toBeCloseTo(0, 6)
    }
    const inpca = await service.request('paths.embed', { runs: ['rec-logits'], view: 'tau', method: 'inpca' })
    expect(inpca.points).toBe(12)
  })

  it('runs of values have τ only: κ and InPCA say why not', async () => {
    const e = await service.request('paths.embed', { runs: ['rec-values'], view: 'tau', method: 'pca' })
    expect(e.points).toBe(6)
    await expect(
      service.request('paths.embed', { runs: ['rec-values'], view: 'kappa', method: 'classical' }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/the κ view needs class outputs; run rec-values records values/),
      details: { reason: 'not-applicable', run: 'rec-values' },
    })
    await expect(
      service.request('paths.embed', { runs: ['rec-values'], view: 'tau', method: 'inpca' }),
    ).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/InPCA/) })
    await expect(service.request('runs.metrics', { runId: 'rec-values', view: 'kappa' })).rejects.toMatchObject({
      code: 'conflict',
    })
    const m = await service.request('runs.metrics', { runId: 'rec-values', view: 'tau' })
    expect(m.data.runs[0].series.map((s) => s.name)).toEqual(['train_loss', 'test_error'])
    await expect(service.request('beyond.subproblems', { runId: 'rec-values' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/no classes/),
      details: { reason: 'not-applicable', run: 'rec-values' },
    })
  })

  it('figures, saved views and their export work on recorded runs', async () => {
    const look = { style: 'paper', widthIn: 3.5 }
    for (const kind of ['paths', 'metrics'] as const) {
      const fig = await service.request('figures.render', {
        view: { kind, query: { runs: ['rec-logits'], view: 'kappa', method: 'classical' }, look },
        format: 'svg',
      })
      expect(fig.data).toMatch(/^<svg/)
      if (kind === 'metrics') expect(fig.data).toMatch(/probe_error|probe error/)
    }
    const views = await service.request('views.save', {
      name: 'recorded',
      kind: 'paths',
      query: { runs: ['rec-logits'], view: 'tau', method: 'classical' },
      look,
    })
    expect(views.map((v) => v.name)).toContain('recorded')
    const out = await service.request('figures.exportAll', { dir: `${dir}/figures`, format: 'svg' })
    expect(out.written).toHaveLength(1)
    expect(await fs.readFile(out.written[0], 'utf8')).toMatch(/^<svg/)
  })

  it('subproblem rates use the run’s labels', async () => {
    const r = await service.request('beyond.subproblems', { runId: 'rec-logits', kind: 'classes', curves: true })
    expect(r).toMatchObject({ probe: 30, classes: 4 })
    const curves = r.curves!.runs[0].series
    for (let c = 0; c < 4; c++) {
      const items = Array.from(logits.labels, (y, p) => [y, p] as const).filter(([y]) => y === c)
      if (items.length === 0) continue
      const kk = kappa(logits, 1, 3)
      const wrong = items.filter(([, p]) => kk[p] !== c).length
      expect(curves.find((s) => s.name === `class ${c} error`)!.perNet[1][3]).toBeCloseTo(wrong / items.length, 12)
    }
  })

  it('barriers, alignment and weight vs function run the recorded MLP on the probe inputs', async () => {
    const b = await service.request('beyond.barrier', { runId: 'rec-mlp', nets: [0, 2], points: 5 })
    expect(b.snapshot).toBe(2)
    expect(b.evaluatedOn).toEqual({ set: 'test', count: 25 })
    // At α = 0 the line is network 0 itself: its recorded outputs give the loss and error.
    const [P, C] = mlp.pointShape!
    const tau = (mlp.outputs as Float32Array).subarray((0 * 3 + 2) * P * C, (0 * 3 + 3) * P * C)
    let ce = 0
    let wrong = 0
    for (let p = 0; p < P; p++) {
      ce -= Math.log(tau[p * C + mlp.labels[p]])
      if (argmax(tau.subarray(p * C, (p + 1) * C)) !== mlp.labels[p]) wrong++
    }
    expect(b.before.loss[0]).toBeCloseTo(ce / P, 4)
    expect(b.before.error[0]).toBeCloseTo(wrong / P, 10)
    expect(b.after.loss[0]).toBeCloseTo(ce / P, 4)
    expect(b.permutation.slice().sort()).toEqual([0, 1, 2, 3])
    const s = await service.request('beyond.barrierSummary', { runId: 'rec-mlp', points: 3 })
    expect(s.pairs).toHaveLength(3)
    const wf = await service.request('beyond.weightVsFunction', { runId: 'rec-mlp', nets: [0, 1] })
    expect(wf.kept).toEqual([0, 1, 2])
    const n = mlp.weights!.paramCount
    const wv = mlp.weightValues as Float32Array
    const w = (k: number, j: number) => wv.subarray((k * 3 + j) * n, (k * 3 + j + 1) * n)
    const d = Math.sqrt(w(0, 1).reduce((acc, x, i) => acc + (x - w(1, 1)[i]) ** 2, 0))
    expect(wf.figure.pairs[0].weightRaw[1]).toBeCloseTo(d, 4)
    const fig = await service.request('beyond.figure', {
      runId: 'rec-mlp',
      figure: { kind: 'barrier', nets: [0, 1] },
      format: 'svg',
    })
    expect(fig.data).toMatch(/^<svg/)
  })

  it('analyses that run the model say what a recorded run lacks', async () => {
    await expect(service.request('beyond.barrier', { runId: 'rec-logits', nets: [0, 1] })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(
        /recorded outside sgdscope and records no weights; .*need recorded weights of the MLP family/,
      ),
      details: { reason: 'not-applicable', run: 'rec-logits' },
    })
    await expect(service.request('beyond.weightVsFunction', { runId: 'rec-logits' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/records no weights/),
    })
    const noInputs = syntheticRun({
      id: 'rec-mlp-noinputs',
      nets: 2,
      snapshots: 2,
      probe: 8,
      mlp: { inputs: 3, hidden: 2 },
    })
    delete noInputs.probeInputs
    await writeExternalRun(dir, noInputs)
    await expect(service.request('beyond.barrier', { runId: 'rec-mlp-noinputs', nets: [0, 1] })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/records no probe_inputs/),
      details: { reason: 'not-applicable', run: 'rec-mlp-noinputs' },
    })
    await expect(
      service.request('beyond.barrier', { runId: 'rec-mlp', nets: [0, 1], on: 'train' }),
    ).rejects.toMatchObject({
      code: 'bad-input',
      message: expect.stringMatching(/probe set only/),
      details: { issues: [{ path: 'on' }] },
    })
    // Weight vs function needs no inputs: it compares weights and recorded τ.
    expect((await service.request('beyond.weightVsFunction', { runId: 'rec-mlp-noinputs' })).kept).toEqual([0, 1])
  })

  it('compares with an in-app run of the same probe set, and refuses another probe set', async () => {
    const spec = parseSpec({
      nets: 2,
      hidden: 8,
      epochs: 0.02,
      probe: 40,
      trainSubset: 300,
      snapshots: { firstEpoch: 3 },
    }) as MlpSpec
    const [inApp] = (await service.request('runs.start', { spec })).runIds
    const ended = new Promise<void>((resolve) =>
      service.on((event, payload) => {
        if (
          event === 'run.status' &&
          (payload as { runId: string; status: string }).runId === inApp &&
          (payload as { status: string }).status !== 'running'
        )
          resolve()
      }),
    )
    await ended
    const ds = await loadDataset(spec.dataset)
    const labels = Array.from(ds.test.labels.subarray(0, 40))
    const pixels = ds.test.pixels.subarray(0, 40 * 784)
    const same = syntheticRun({ id: 'rec-mnist', nets: 2, snapshots: 3, probe: 40, classes: 10, labels })
    await writeExternalRun(dir, {
      ...same,
      probeInputs: { data: Float32Array.from(pixels), shape: [40, 28, 28] },
      probeId: 'mnist-deskewed:test[0:40]',
    })
    const both = await service.request('paths.embed', {
      runs: [inApp, 'rec-mnist'],
      view: 'kappa',
      method: 'classical',
    })
    expect(both.runs).toHaveLength(2)
    // An old in-app run without a stored fingerprint: computed from its probe images.
    const meta = `${dir}/runs/${inApp}/zarr.json`
    const g = JSON.parse(await fs.readFile(meta, 'utf8'))
    expect(g.attributes.probe).toMatchObject({ size: 40, id: 'mnist-deskewed:test[0:40]' })
    delete g.attributes.probe
    await fs.writeFile(meta, JSON.stringify(g))
    expect(
      (await service.request('paths.embed', { runs: ['rec-mnist', inApp], view: 'tau', method: 'classical' })).runs,
    ).toHaveLength(2)
    // Same labels, other inputs; other labels.
    const shifted = Float32Array.from(pixels, (x) => 1 - x)
    await writeExternalRun(dir, { ...same, id: 'rec-other-inputs', probeInputs: { data: shifted, shape: [40, 784] } })
    await expect(
      service.request('paths.embed', { runs: [inApp, 'rec-other-inputs'], view: 'tau', method: 'classical' }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(
        /same labels but different inputs .*compare needs runs measured on the same probe set/,
      ),
      details: { reason: 'not-applicable', run: 'rec-other-inputs' },
    })
    await writeTestExternalRun(dir, {
      id: 'rec-other-labels',
      nets: 2,
      snapshots: 2,
      probe: 40,
      classes: 10,
      labels: labels.map((y) => (y + 1) % 10),
    })
    await expect(
      service.request('figures.render', {
        view: {
          kind: 'compare',
          query: { runs: [inApp, 'rec-other-labels'], view: 'tau', method: 'classical' },
          look: { style: 'paper', widthIn: 7 },
        },
        format: 'svg',
      }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/different labels/),
    })
  })
})
