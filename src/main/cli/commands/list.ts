/** `sgdscope list`: the runs of a project, one line each (or JSON). */
import { progressPercent } from '../../../shared/progress'
import { Project } from '../../archive/project'
import { runSummary, type FinalMetrics } from '../../experiments/summary'
import { projectDir, projectOption, type Command } from '../command'

const pct = (x: number) => `${(100 * x).toFixed(2)}%`

export const listCommand: Command = {
  summary: 'list the runs of a project',
  usage: 'sgdscope list [--project DIR] [--json]',
  options: { ...projectOption, json: { type: 'boolean' } },
  async run(_p, v, io) {
    const project = await Project.open(projectDir(v))
    const rows = []
    for (const id of await project.runIds()) {
      try {
        rows.push(await runSummary(await project.openRun(id)))
      } catch (e) {
        rows.push({
          id,
          status: 'unreadable',
          summary: (e as Error).message,
          done: 0,
          total: 0,
          netsDone: 0,
          final: {} as FinalMetrics,
        })
      }
    }
    if (v.json) {
      io.out(JSON.stringify(rows, null, 2))
      return 0
    }
    if (rows.length === 0)
      io.out(`no runs in ${project.dir} yet (start one with: sgdscope run --preset fig1 --project ${project.dir})`)
    rows.forEach((r, i) => {
      const te = r.final.test_error
      io.out(
        `${String(i + 1).padStart(3)}  ${r.id}  ${r.status.padEnd(11)} ${String(r.done).padStart(6)}/${r.total} snapshots ${`(${progressPercent(r)})`.padEnd(7)}  ${te ? `test err ${pct(te.mean)}  ` : ''}${r.summary}`,
      )
    })
    return 0
  },
}
