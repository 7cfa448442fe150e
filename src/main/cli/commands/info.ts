/** `sgdscope info`: one run in detail. */
import { Project } from '../../archive/project'
import { describeSpec, externalLines, runDetails } from '../../experiments/summary'
import { UsageError, projectDir, projectOption, type Command } from '../command'
import { formatDuration } from '../progress'

const pct = (x: number) => `${(100 * x).toFixed(2)}%`

export const infoCommand: Command = {
  summary: 'show a run: spec, engine, versions, status, timings and metrics per snapshot',
  usage: 'sgdscope info RUN [--project DIR] [--json]',
  options: { ...projectOption, json: { type: 'boolean' } },
  async run(positionals, v, io) {
    if (!positionals[0])
      throw new UsageError('info needs a run (id, unique part of it, or its number in `sgdscope list`)')
    const project = await Project.open(projectDir(v))
    const run = await project.openRun(await project.resolveRunId(positionals[0]))
    const a = run.attrs
    const d = await runDetails(run)
    if (v.json) {
      io.out(JSON.stringify(d, null, 2))
      return 0
    }
    const status = d.status
    io.out(`run       ${a.id}`)
    io.out(`project   ${project.dir}`)
    io.out(`status    ${status}${a.error ? ` — ${a.error}` : ''}`)
    io.out(`spec      ${describeSpec(a.spec)}`)
    if (a.spec.kind === 'mlp' && a.spec.spawn) {
      const sp = a.spec.spawn
      const noise =
        sp.noise.kind === 'perturb'
          ? `perturbed, σ = ${sp.noise.sigma}`
          : sp.noise.kind === 'order'
            ? 'new sample order'
            : 'the parent’s order'
      io.out(
        `spawned   from ${sp.parent}, networks ${sp.parentNets.join(',')} at epochs ${sp.at.map((x) => +x.toPrecision(4)).join(', ')}, ${sp.children} per point (${noise}); states from ${(sp.states ?? []).join(', ')}`,
      )
    }
    if (a.spec.kind === 'external') for (const line of await externalLines(run)) io.out(line)
    else {
      io.out(
        `engine    ${a.engine ? `${a.engine.name}${a.engine.backend ? ` (${a.engine.backend})` : ''}: ${a.engine.reason}` : '?'}`,
      )
      // A broken backend that was skipped gets a line of its own: it is not to be missed.
      if (a.engine?.fallback) io.out(`fallback  ${a.engine.fallback}`)
    }
    io.out(
      `versions  ${Object.entries(a.versions)
        .map(([k, x]) => `${k} ${x}`)
        .join(', ')}`,
    )
    if (a.dataset)
      io.out(
        `dataset   ${a.dataset.id}: ${a.dataset.trainCount} train, ${a.dataset.testCount} test, ${a.dataset.rows}×${a.dataset.cols}, ${a.dataset.classes} classes`,
      )
    io.out(`created   ${a.created}; training time ${formatDuration(a.trainSeconds)}`)
    io.out(`progress  ${d.done}/${d.total} (network, snapshot) pairs recorded`)
    io.out('')
    io.out(
      ['epoch'.padStart(9), 'samples'.padStart(11), ...a.metrics.map((n) => n.padStart(12))].join(' ') +
        '   (ensemble mean)',
    )
    d.epochs.forEach((epoch, j) => {
      const cells = a.metrics.map((n) => {
        const x = d.metricsPerSnapshot[n][j]
        return (x === null ? '—' : n.endsWith('error') ? pct(x) : x.toFixed(5)).padStart(12)
      })
      io.out(
        [
          epoch.toFixed(3).padStart(9),
          (Number.isNaN(d.samples[j]) ? '—' : String(d.samples[j])).padStart(11),
          ...cells,
        ].join(' '),
      )
    })
    io.out('')
    io.out(`full spec: ${JSON.stringify(a.spec)}`)
    return 0
  },
}
