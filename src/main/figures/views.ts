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

/** A saved view's kinds, or the Shepard diagram of a paths view's embedding. */
export type ViewToRender = Omit<SavedView, 'name' | 'kind'> & { kind: SavedView['kind'] | 'shepard' }

/** The metrics of several runs as one figure's data (one legend entry per run). */
export async function metricsData(project: Project, q: Pick<PathQuery, 'runs' | 'labels'>): Promise<MetricsData> {
  const runs: MetricsData['runs'] = []
  for (const [i, id] of q.runs.entries()) runs.push(...(await runMetrics(project, id, 'tau', q.labels?.[i])).data.runs)
  return { runs }
}

/** What a view shows of what it embeds: the look's epoch window and network subset
 * when the saved-view format records them (the app filters on the client), else the
 * query's (which is then also what is embedded). */
interface ShownSelection {
  epochWindow?: [number | null, number | null]
  nets?: number[]
}
function shownWindow(look: FigureLook, q: PathQuery): [number | null, number | null] | undefined {
  return (look as FigureLook & ShownSelection).epochWindow ?? q.epochs
}

export function figureOptions(look: FigureLook, q: PathQuery, layout: 'overlay' | 'panels') {
  const window = shownWindow(look, q)
  const nets = (look as FigureLook & ShownSelection).nets
  return {
    layout,
    colorBy: look.colorBy,
    points: look.points,
    lines: look.lines,
    ...(look.hideInitial ? { hideInitial: true } : {}),
    ...(window ? { epochWindow: window } : {}),
    ...(nets ? { nets } : {}),
    // What the screen shows: a zoomed view exports its region, a view at a time its frame.
    ...(look.zoom ? { region: look.zoom } : {}),
    ...(look.time !== undefined ? { until: look.time } : {}),
  }
}

export async function renderView(
  project: Project,
  view: ViewToRender,
  format: FigureFormat,
  onProgress?: (p: EmbedProgress) => void,
): Promise<ExportedFigure> {
  const look = view.look
  const size = { format, widthIn: look.widthIn, heightIn: look.heightIn, dpi: look.dpi, fontSize: look.fontSize }
  if (view.kind === 'metrics') {
    const data = await metricsData(project, view.query)
    return renderFigure('metrics', data, look.style, {
      ...size,
      figure: {
        logX: look.logX,
        logY: look.logY,
        ...(shownWindow(look, view.query) ? { epochWindow: shownWindow(look, view.query) } : {}),
        ...(look.time !== undefined ? { cursor: look.time } : {}),
      },
    })
  }
  const data = await embedPaths(project, view.query, onProgress)
  if (view.kind === 'shepard') return renderFigure('shepard', data, look.style, size)
  const layout = view.kind === 'compare' ? look.layout : 'overlay'
  return renderFigure(view.kind, data, look.style, { ...size, figure: figureOptions(look, view.query, layout) })
}
