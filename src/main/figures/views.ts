/**
 * A view (what to show: runs, τ/κ, method, window, subset; how: style, size) turned
 * into a figure file. The CLI, `reproduce`, the app's export dialog and "export all"
 * all come through here, so an exported file is what the screen shows.
 */
import type { Project } from '../archive/project'
import { embedPaths, runMetrics, type EmbedProgress } from '../analysis/paths'
import type { FigureLook, PathQuery, SavedView } from '../../shared/api/contract'
import type { MetricsData } from '../../shared/figures/data'
import { renderFigure, type ExportedFigure, type FigureFormat } from './export'

export type ViewToRender = Omit<SavedView, 'name'>

/** The metrics of several runs as one figure's data (one legend entry per run). */
export async function metricsData(project: Project, q: Pick<PathQuery, 'runs' | 'labels'>): Promise<MetricsData> {
  const runs: MetricsData['runs'] = []
  for (const [i, id] of q.runs.entries()) runs.push(...(await runMetrics(project, id, 'tau', q.labels?.[i])).data.runs)
  return { runs }
}

function figureOptions(look: FigureLook, q: PathQuery, layout: 'overlay' | 'panels') {
  return {
    layout,
    colorBy: look.colorBy,
    points: look.points,
    lines: look.lines,
    ...(q.epochs ? { epochWindow: q.epochs } : {}),
  }
}

export async function renderView(project: Project, view: ViewToRender, format: FigureFormat, onProgress?: (p: EmbedProgress) => void): Promise<ExportedFigure> {
  const look = view.look
  const size = { format, widthIn: look.widthIn, heightIn: look.heightIn, dpi: look.dpi, fontSize: look.fontSize }
  if (view.kind === 'metrics') {
    const data = await metricsData(project, view.query)
    return renderFigure('metrics', data, look.style, { ...size, figure: { logX: look.logX, logY: look.logY, ...(view.query.epochs ? { epochWindow: view.query.epochs } : {}) } })
  }
  const data = await embedPaths(project, view.query, onProgress)
  const layout = view.kind === 'compare' ? look.layout : 'overlay'
  return renderFigure(view.kind, data, look.style, { ...size, figure: figureOptions(look, view.query, layout) })
}
