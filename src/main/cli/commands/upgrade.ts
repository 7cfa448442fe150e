/** `sgdscope upgrade`: rewrite a project's runs in the newest run format (docs/run-format.md). */
import { Project } from '../../archive/project'
import { upgradeProject } from '../../archive/upgrade'
import { projectDir, type Command } from '../command'
import { countReporter } from '../progress'

export const upgradeCommand: Command = {
  summary:
    'rewrite a project’s runs in the newest run format (format 4: flags and metrics in one chunk each, τ in one shard per network)',
  usage: 'sgdscope upgrade [PROJECT] [--project DIR]',
  options: { project: { type: 'string', short: 'p' } },
  async run(positionals, v, io) {
    const project = await Project.open(positionals[0] ?? projectDir(v))
    const bar = countReporter('runs')
    let steps
    try {
      steps = await upgradeProject(project, {
        signal: io.signal,
        onProgress: (p) => bar.update({ stage: 'upgrading', done: p.done, total: p.total, etaSeconds: null }),
      })
    } finally {
      bar.stop()
    }
    const count = (r: string) => steps.filter((s) => s.result === r).length
    for (const s of steps) if (s.result === 'unreadable') io.err(`${s.runId}: not upgraded: ${s.error}`)
    io.out(
      `${project.dir}: ${count('upgraded')} run(s) upgraded, ${count('current')} already current, ` +
        `${count('external')} recorded outside sgdscope kept at format 2` +
        (count('unreadable') ? `, ${count('unreadable')} not upgraded` : ''),
    )
    return count('unreadable') ? 1 : 0
  },
}
