/**
 * Distances between whole paths at fig1's size: 100 paths × 31 snapshots of 10,000 values
 * (the paper's τ size), written as a stochastic-model run at bench time, then the path
 * distance matrices (Fréchet and progress-aligned) as `sgdscope path-distances` computes
 * them. Goal (issue 21): ≤ 2 s for the matrix of fig1's 100 networks.
 *
 *   npm run bench -- path-distances
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { pathDistances } from '../src/main/analysis/beyond/path-distances'
import { Project } from '../src/main/archive/project'
import { createRun, trainRun } from '../src/main/experiments/runner'

const root = mkdtempSync(path.join(tmpdir(), 'sgdscope-bench-paths-'))
try {
  const project = await Project.create(path.join(root, 'p.sgdscope'))
  const run = await createRun(project, { kind: 'stochastic', nets: 100, dim: 10_000, steps: 30_000, recordEvery: 1000 })
  await trainRun(project, run.id, { workers: 1 })
  const { attrs } = await project.openRun(run.id)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  // When each stage began: reading τ until the distances start, then the paths.
  const began = new Map<string, number>()
  const r = await pathDistances(project, [run.id], {}, (stage) => {
    if (!began.has(stage)) began.set(stage, performance.now())
  })
  const end = performance.now()
  const wall = (end - t0) / 1000
  const at = (stage: string) => began.get(stage) ?? end
  const sec = (a: number, b: number) => ((b - a) / 1000).toFixed(2)
  const cpu = process.cpuUsage(cpu0)
  console.log(
    `path distances, ${r.paths.length} paths × ${attrs.snapshots} snapshots × ${attrs.pointShape[0]} values (Fréchet + aligned, one run):`,
  )
  console.log(
    `  ${wall.toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU (goal ≤ 2 s); whole-path MDS stress-1 ${r.embedding.stress.toFixed(3)}`,
  )
  console.log(
    `  reading τ ${sec(t0, at('distances'))} s, point distances ${sec(at('distances'), at('paths'))} s, the path matrices from them ${sec(at('paths'), end)} s`,
  )
} finally {
  rmSync(root, { recursive: true, force: true })
}
