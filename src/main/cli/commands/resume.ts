/** `sgdscope resume`: continue an interrupted run. */
import { Project } from '../../archive/project'
import { UsageError, projectDir, projectOption, type Command } from '../command'
import { trainFromTerminal } from '../train'

export const resumeCommand: Command = {
  summary: 'continue an interrupted run to the result an uninterrupted run gives',
  usage: 'sgdscope resume RUN [--project DIR] [--workers W] [--shard i/n]',
  options: { ...projectOption, workers: { type: 'string', short: 'w' }, shard: { type: 'string' } },
  async run(positionals, v, io) {
    if (!positionals[0])
      throw new UsageError('resume needs a run (id, unique part of it, or its number in `sgdscope list`)')
    const project = await Project.open(projectDir(v))
    const id = await project.resolveRunId(positionals[0])
    const run = await project.openRun(id)
    if (run.attrs.spec.kind === 'external') {
      io.err(
        `run ${id} was recorded outside sgdscope (${run.attrs.spec.source}); there is nothing for sgdscope to resume`,
      )
      return 1
    }
    if (run.attrs.status === 'complete') {
      io.out(`${id} is already complete`)
      return 0
    }
    return trainFromTerminal(project, id, v, io)
  },
}
