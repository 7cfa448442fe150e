/** `sgdscope status`: how far a run (and each of its shards) has come, and who is training it. */
import { progressPercent } from '../../../shared/progress'
import { readLock } from '../../archive/lock'
import { Project } from '../../archive/project'
import { liveLocks } from '../../experiments/runner'
import { shardStates } from '../../experiments/shard-progress'
import { runSummary } from '../../experiments/summary'
import { UsageError, projectDir, projectOption, type Command } from '../command'

export const statusCommand: Command = {
  summary: 'how far a run (and each of its shards) has come, and who is training it',
  usage: 'sgdscope status RUN [--project DIR] [--shards n]',
  options: { ...projectOption, shards: { type: 'string' } },
  async run(positionals, v, io) {
    if (!positionals[0]) throw new UsageError('status needs a run')
    const project = await Project.open(projectDir(v))
    const run = await project.openRun(await project.resolveRunId(positionals[0]))
    const a = run.attrs
    const s = await runSummary(run)
    const prog = await run.progress()
    const pctDone = prog.total ? ` (${progressPercent(prog)})` : ''
    io.out(`${a.id}: ${s.status}, ${prog.done}/${prog.total} (network, snapshot) pairs recorded${pctDone}`)
    const locks = await liveLocks(run)
    for (const f of locks) {
      const l = await readLock(`${run.dir}/${f}`)
      const what = f.startsWith('lock-recorder-') ? 'recording' : 'training'
      if (l) io.out(`  ${what}: ${f.replace(/\.json$/, '')} by process ${l.pid} on ${l.host} since ${l.started}`)
    }
    const fromLocks = locks.map((f) => /-of-(\d+)\.json$/.exec(f)?.[1]).find((x) => x !== undefined)
    const count = Number(v.shards ?? a.shardCount ?? fromLocks ?? 0)
    if (count > 1) {
      for (const sh of await shardStates(run, count)) {
        const state = sh.done === sh.total ? 'done' : sh.live ? 'training' : 'not running'
        io.out(`  shard ${sh.index + 1}/${count}: ${sh.nets} network(s), ${sh.done}/${sh.total} snapshots — ${state}`)
      }
    } else {
      const behind = prog.perNet.map((c, k) => [k, c] as const).filter(([, c]) => c < a.snapshots)
      if (behind.length)
        io.out(
          `  networks not finished: ${behind
            .slice(0, 20)
            .map(([k, c]) => `${k} (${c}/${a.snapshots})`)
            .join(', ')}${behind.length > 20 ? ', …' : ''}`,
        )
    }
    return 0
  },
}
