/**
 * The stability preset's wall time (issue 21): `reproduce stability` at quick scale (3
 * parents × 4 spawn points × 2 children, 1 epoch) through the worker pool, training and the
 * stability analysis timed apart, and the full preset (10 parents × 6 spawn points × 2
 * children, 10 epochs) projected from the measured training rate (samples/s, snapshots
 * included) and its sample count. The full preset's measured time is in docs/method.md.
 *
 *   npm run bench -- stability
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { stability } from '../src/main/analysis/beyond/stability'
import { Project } from '../src/main/archive/project'
import { formatDuration } from '../src/main/cli/progress'
import { defaultWorkerCount } from '../src/main/engine/pool'
import { ensurePresetRuns, presetStages, type Scale } from '../src/main/experiments/reproduce'
import { PRESETS } from '../src/shared/presets'

const TRAIN = 60_000
/** Samples a scale of the preset trains: the parents, then each child from its spawn point. */
function samples(scale: Scale): number {
  const st = presetStages(PRESETS.stability, scale)
  const spec = st.runs[0]!.spec as { nets: number; epochs: number }
  const sp = st.spawn!
  const children = sp.at.reduce((n, k) => n + spec.nets * sp.children * (spec.epochs - k), 0)
  return (spec.nets * spec.epochs + children) * TRAIN
}

const root = mkdtempSync(path.join(tmpdir(), 'sgdscope-bench-stability-'))
try {
  const project = await Project.create(path.join(root, 'p.sgdscope'))
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const runs = await ensurePresetRuns(project, 'stability', 'quick', {})
  const t1 = performance.now()
  const r = await stability(project, runs.find((x) => x.stage === 'spawn')!.id)
  const t2 = performance.now()
  const cpu = process.cpuUsage(cpu0)
  const train = (t1 - t0) / 1000
  const rate = samples('quick') / train
  console.log(
    `\nstability preset, quick scale (3 parents × 4 spawn points × 2 children, 1 epoch) on ${defaultWorkerCount()} worker threads:`,
  )
  console.log(
    `  ${((t2 - t0) / 1000).toFixed(1)} s wall: training ${train.toFixed(1)} s (${(samples('quick') / 1e6).toFixed(2)} M samples, ${Math.round(rate).toLocaleString('en-US')} samples/s with snapshots), stability ${((t2 - t1) / 1000).toFixed(1)} s (${r.points.reduce((n, p) => n + p.siblings.pairs + (p.strangers?.pairs ?? 0), 0)} barrier pairs); main-thread CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`,
  )
  console.log(
    `  projected full preset (10 parents × 6 points × 2 children, 10 epochs, ${(samples('full') / 1e6).toFixed(1)} M samples): ${formatDuration(samples('full') / rate)} of training at this rate`,
  )
} finally {
  rmSync(root, { recursive: true, force: true })
}
