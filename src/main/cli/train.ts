/** Training a run from the terminal, with a progress bar: what `run` and `resume` share. */
import type { Project } from '../archive/project'
import { trainRun } from '../experiments/runner'
import { shardEndLine } from '../experiments/shard-progress'
import { runSummary, type FinalMetrics } from '../experiments/summary'
import { parseShard, parseWorkers } from './args'
import type { Io, Values } from './command'
import { progressReporter } from './progress'

const pct = (x: number) => `${(100 * x).toFixed(2)}%`

/** The final metrics of a run, one line. */
export function summaryLine(nets: number, f: FinalMetrics): string {
  if (f.test_error) {
    const te = f.test_error
    const range = `${pct(te.min)}–${pct(te.max)}`
    return `  final test error ${pct(te.mean)} (range ${range}), train error ${pct(f.train_error.mean)} over ${nets} network(s)`
  }
  if (f.norm) {
    const n = f.norm
    return `  final |θ| ${n.mean.toFixed(4)} (range ${n.min.toFixed(4)}–${n.max.toFixed(4)}) over ${nets} vector(s)`
  }
  return '  no snapshots recorded yet'
}

/** Trains (or continues) a run; exit code 130 when Ctrl-C interrupted it. */
export async function trainFromTerminal(project: Project, runId: string, v: Values, io: Io): Promise<number> {
  const bar = progressReporter()
  const workers = parseWorkers(v)
  const shard = v.shard ? parseShard(String(v.shard)) : undefined
  let status
  try {
    status = await trainRun(project, runId, {
      workers,
      shard,
      signal: io.signal,
      onProgress: (p) => bar.update(p),
      onLog: io.err,
    })
  } finally {
    bar.stop()
  }
  const run = await project.openRun(runId)
  if (shard) {
    // The run may be unfinished because other shards are: this shard speaks for its own part.
    io.out((await shardEndLine(run, shard, project.dir)).line)
  } else {
    const hint = status === 'interrupted' ? ` (resume with: sgdscope resume ${runId} --project ${project.dir})` : ''
    io.out(`${runId}: ${status}${hint}`)
  }
  io.out(summaryLine(run.attrs.nets, (await runSummary(run)).final))
  return status === 'interrupted' && io.signal.aborted ? 130 : 0
}
