/**
 * `npm run bench -- preset-errors [--nets 100] [--epochs 0.1]`: issue 19's check that many
 * seeds of the presets beyond the paper land in the same test-error range as PyTorch. Each
 * variant of `depth`, `activation`, `weight-decay` and `fashion` trains `--nets` networks
 * (seeds 0…) with sgdscope's engine (the worker pool, the kernel the app selects), and the
 * same configuration trains `--nets` networks of PyTorch's own seeds in bench/torch_presets.py
 * (torch7 init, sgdscope's mse, torch.optim.SGD, batch 1, each network its own order). The
 * epochs are scaled down from the presets' 20 (default 0.1 epoch, printed) so that the whole
 * check runs in minutes: the comparison is of the same short training, not of the preset's end.
 * Printed: per variant, the mean and range (min–max) of the final test error on each side.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Project } from '../src/main/archive/project'
import { loadDataset } from '../src/main/datasets/registry'
import { createRun, trainRun } from '../src/main/experiments/runner'
import { runSummary } from '../src/main/experiments/summary'
import { BEYOND_PRESET_IDS, PRESETS } from '../src/shared/presets'
import { hiddenWidths, parseSpec, type MlpSpec } from '../src/shared/spec'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const NETS = arg('nets', 100)
const EPOCHS = arg('epochs', 0.1)
const pct = (x: number) => `${(100 * x).toFixed(2)}%`
const PY = process.env.PYTHON ?? 'python3'
const HERE = path.dirname(fileURLToPath(import.meta.url))

const dir = mkdtempSync(path.join(os.tmpdir(), 'sgdscope-preset-errors-'))
try {
  console.log(
    `presets beyond the paper: ${NETS} seeds per variant, ${EPOCHS} epoch(s) each (scaled down from the presets' 20, so that this runs in minutes), sgdscope vs PyTorch\n`,
  )
  const project = await Project.create(path.join(dir, 'p.sgdscope'))
  const variants: { label: string; spec: MlpSpec; data: string }[] = []
  for (const id of BEYOND_PRESET_IDS)
    for (const r of PRESETS[id].runs) {
      const spec = parseSpec({
        ...r.spec,
        nets: NETS,
        epochs: EPOCHS,
        snapshots: { at: [EPOCHS] },
        trainSubset: 1000,
        probe: 10,
        keepWeights: 'none',
      }) as MlpSpec
      variants.push({ label: `${id}: ${r.label}`, spec, data: `${spec.dataset.source}-${spec.dataset.deskew}` })
    }

  // The datasets as dense float32 files for PyTorch: the same (deskewed) pixels sgdscope trains on.
  const datasets: Record<string, object> = {}
  for (const v of variants) {
    if (datasets[v.data]) continue
    const d = await loadDataset(v.spec.dataset)
    const file = (name: string, a: Float32Array | Uint8Array) => {
      const p = path.join(dir, `${v.data}-${name}`)
      writeFileSync(p, a)
      return p
    }
    datasets[v.data] = {
      inputs: d.train.rows * d.train.cols,
      train: file('train.f32', d.train.pixels),
      trainLabels: file('train.u8', d.train.labels),
      test: file('test.f32', d.test.pixels),
      testLabels: file('test.u8', d.test.labels),
    }
  }

  const ours = new Map<string, { mean: number; min: number; max: number; seconds: number }>()
  for (const v of variants) {
    const t0 = performance.now()
    const run = await createRun(project, v.spec)
    await trainRun(project, run.id)
    const te = (await runSummary(await project.openRun(run.id))).final.test_error!
    ours.set(v.label, { ...te, seconds: (performance.now() - t0) / 1000 })
    console.log(
      `  sgdscope ${v.label}: ${pct(te.mean)} (${pct(te.min)}–${pct(te.max)}) in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    )
  }

  const config = {
    nets: NETS,
    datasets,
    variants: variants.map((v) => ({
      label: v.label,
      data: v.data,
      hidden: hiddenWidths(v.spec),
      activation: v.spec.activation,
      weightDecay: v.spec.weightDecay,
      lr: v.spec.lr,
      epochs: EPOCHS,
    })),
  }
  const cfgPath = path.join(dir, 'config.json')
  writeFileSync(cfgPath, JSON.stringify(config))
  console.log(`\n  PyTorch (${PY} bench/torch_presets.py)…`)
  const r = spawnSync(PY, [path.join(HERE, 'torch_presets.py'), cfgPath], { encoding: 'utf8', maxBuffer: 1 << 26 })
  if (r.status !== 0) throw new Error(`${PY} bench/torch_presets.py failed (${r.status ?? r.signal}):\n${r.stderr}`)
  const theirs = new Map<string, { errors: number[]; seconds: number }>()
  for (const line of r.stdout.trim().split('\n')) {
    const o = JSON.parse(line) as { label: string; errors: number[]; seconds: number }
    theirs.set(o.label, o)
  }

  console.log(`\n  test error after ${EPOCHS} epoch(s), ${NETS} seeds each: mean (min–max)`)
  console.log(`  ${'variant'.padEnd(36)} ${'sgdscope'.padEnd(26)} ${'PyTorch'.padEnd(26)} ranges overlap`)
  for (const v of variants) {
    const a = ours.get(v.label)!
    const e = theirs.get(v.label)!.errors
    const b = { mean: e.reduce((x, y) => x + y, 0) / e.length, min: Math.min(...e), max: Math.max(...e) }
    const overlap = a.min <= b.max && b.min <= a.max
    const cell = (x: { mean: number; min: number; max: number }) =>
      `${pct(x.mean)} (${pct(x.min)}–${pct(x.max)})`.padEnd(26)
    console.log(`  ${v.label.padEnd(36)} ${cell(a)} ${cell(b)} ${overlap ? 'yes' : 'NO'}`)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
