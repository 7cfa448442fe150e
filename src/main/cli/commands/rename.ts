/** `sgdscope rename`: a run's name, its short legend label and its colour in figures. */
import { ApiError } from '../../../shared/api/errors'
import { setRunDisplay } from '../../archive/display'
import { Project } from '../../archive/project'
import { runSummary } from '../../experiments/summary'
import { UsageError, projectDir, projectOption, type Command } from '../command'

export const renameCommand: Command = {
  summary: "rename a run, and set its legend label (--label, '' clears) and colour (--color #rrggbb)",
  usage: 'sgdscope rename RUN [NAME] [--label L] [--color #rrggbb] [--project DIR]',
  options: { ...projectOption, label: { type: 'string' }, color: { type: 'string' } },
  async run(positionals, v, io) {
    const [ref, name, ...rest] = positionals
    if (!ref) throw new UsageError('rename needs a run (its id, number or a unique part of its id)')
    if (rest.length)
      throw new UsageError(`rename takes one NAME; quote a name with spaces (got ${positionals.length - 1} words)`)
    if (name === undefined && v.label === undefined && v.color === undefined)
      throw new UsageError('rename needs a NAME, --label or --color')
    const project = await Project.open(projectDir(v))
    const run = await project.openRun(await project.resolveRunId(ref))
    const label = v.label === undefined ? undefined : String(v.label).trim() === '' ? null : String(v.label)
    const color = v.color === undefined ? undefined : String(v.color) === '' ? null : String(v.color)
    try {
      await setRunDisplay(run, { ...(name !== undefined ? { name } : {}), label, color })
    } catch (e) {
      if (e instanceof ApiError && e.code === 'bad-input') throw new UsageError(e.message)
      throw e
    }
    const s = await runSummary(run)
    io.out(`${s.id}: name “${s.name}”, label “${s.label}”, colour ${s.color}`)
    return 0
  },
}
