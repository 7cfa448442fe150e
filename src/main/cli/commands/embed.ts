/** `sgdscope embed`: embed a run's paths in 2-D (cached in the run) and print the stress. */
import { countPoints, embedPaths, runMetrics } from '../../analysis/paths'
import { Project } from '../../archive/project'
import { UsageError, projectDir, projectOption, type Command } from '../command'
import { pathQuery, viewOptions } from '../view-options'
import { fitText, neighbourhoodLine, startsTable } from '../../../shared/figures/diagnostics'
import { STREAM_ABOVE, defaultMethod, defaultSwitchNote, scaleWarning } from '../../../shared/embedding-scale'

export const embedCommand: Command = {
  summary: 'embed a run’s paths in 2-D (cached in the run) and print its goodness of fit and neighbourhood scores',
  usage:
    'sgdscope embed RUN [--view tau|kappa] [--method smacof|classical|landmark|pca|inpca|tsne|umap|phate] [--nets 0-4] [--epochs 2:20] [--max-iter N | --iterations N] [--starts N] [--start classical|landmark|random] [--seed S] [--knn 5 --decay 40 (phate)] [--into RUN[,RUN]] [--project DIR] [--json]',
  options: { ...projectOption, ...viewOptions, into: { type: 'string' }, json: { type: 'boolean' } },
  async run(positionals, v, io) {
    if (!positionals[0]) throw new UsageError('embed needs a run')
    const project = await Project.open(projectDir(v))
    const id = await project.resolveRunId(positionals[0])
    const base = pathQuery([id], v)
    // --into: place RUN's points into the other run's (cached) map instead of re-fitting one.
    const into = v.into ? String(v.into).split(',').filter(Boolean) : []
    if (v.into !== undefined && into.length === 0) throw new UsageError('--into needs a run (or runs, comma-separated)')
    const q = into.length
      ? { ...base, into: { runs: await Promise.all(into.map((r) => project.resolveRunId(r))) } }
      : base
    // Above STREAM_ABOVE points the default is landmark (streamed); an O(n²) method asked for warns first.
    const points = await countPoints(project, q)
    if (!v.method && !into.length && defaultMethod(points) !== q.method) {
      q.method = defaultMethod(points)
      io.err(defaultSwitchNote(points))
    }
    const run = await project.openRun(id)
    const d = run.attrs.pointShape.reduce((a, b) => a * b, 1)
    const warning = scaleWarning(q.method, points, d, q.options?.maxIter)
    if (warning) io.err(`warning: ${warning}`)
    const r = await embedPaths(project, q, (p) => io.err(`${p.stage} ${p.done}/${p.total}`))
    if (v.json) {
      io.out(JSON.stringify(r))
      return 0
    }
    const fit = r.fit ? (r.fit.name === 'stress-1' ? `Kruskal ${fitText(r.fit, 4)}` : fitText(r.fit, 4)) : ''
    // t-SNE, UMAP and PHATE aim at neighbourhoods (PHATE: diffusion potentials): their stress-1
    // is shown, but as a side note.
    const side =
      q.method === 'tsne' || q.method === 'umap' || q.method === 'phate'
        ? ` (stress-1 ${(r.stress ?? NaN).toFixed(4)}, not its goal)`
        : q.method === 'pca' && r.fit?.name !== 'stress-1' && Number.isFinite(r.stress)
          ? ` (${fitText({ name: 'stress-1', value: r.stress!, ...(r.stressEstimate ? { estimate: r.stressEstimate } : {}) }, 4)})`
          : ''
    io.out(
      `${id}: ${q.view} view, ${q.method}: ${fit}${side} over ${r.points} points (${r.cached ? 'from the cache' : `computed in ${r.seconds.toFixed(1)} s, cached`})`,
    )
    if (r.diffusionTime !== undefined)
      io.out(`  diffusion time t = ${r.diffusionTime} (the knee of the von Neumann entropy)`)
    if (r.frozen) {
      const f = r.frozen
      io.out(
        `  into the map of ${f.runs.join(', ')} (${f.referencePoints} points, stress-1 ${f.referenceStress.toFixed(4)}): ${f.addedPoints} points added, their stress-1 ${f.addedStress.toFixed(4)}${f.badlyRepresented ? ' — well above the map’s: they are badly represented, consider a joint embedding' : ''}`,
      )
    }
    if (r.neighbourhood) io.out(`  ${neighbourhoodLine(r.neighbourhood)}`)
    if (r.starts) for (const line of startsTable(r.starts)) io.out(`  ${line}`)
    // At streaming sizes the derived metrics are a pass of their own: `sgdscope info` shows them.
    if (points > STREAM_ABOVE) return 0
    const dm = await runMetrics(project, id, q.view as 'tau' | 'kappa')
    const last = dm.derived.epochs.length - 1
    if (last > 0)
      io.out(
        `  at epoch ${dm.derived.epochs[last]}: mean pairwise distance ${dm.derived.meanPairwise[last].toFixed(4)}, mean step ${dm.derived.meanStep[last].toFixed(4)}, step/spread ${dm.derived.stepToSpread[last].toFixed(4)}`,
      )
    return 0
  },
}
