/**
 * The beyond-the-paper figures from a query: the analysis is run (from the archive) and
 * its figure data rendered through the shared builders and the headless exporter
 * (renderFigure), so the CLI's --out, the service and the app's export give the same file.
 */
import type { Project } from '../archive/project'
import { renderFigure, type ExportedFigure, type FigureFormat } from './export'
import type {
  BarrierData,
  MphateColor,
  MphateData,
  RatesData,
  StabilityData,
  WeightFunctionData,
} from '../../shared/figures/beyond-data'
import type { FigureStyle, StyleName } from '../../shared/figures/style'
import { barrier, barrierSummary, type BarrierSummaryOptions } from '../analysis/beyond/barrier'
import { subproblems, type SubproblemsOptions } from '../analysis/beyond/subproblems'
import { weightVsFunction, type WeightFunctionOptions } from '../analysis/beyond/weight-function'
import { mphateRun, type MphateRunOptions } from '../analysis/beyond/mphate'

export const BEYOND_FIGURE_KINDS = ['rates', 'barrier', 'weightVsFunction', 'mphate'] as const
export type BeyondFigureKind = (typeof BEYOND_FIGURE_KINDS)[number]

/** What to compute for a figure. A barrier of two networks draws their curves; of more,
 * every pair thin and the median bold. */
export type BeyondFigureQuery =
  | ({ kind: 'rates' } & Pick<
      SubproblemsOptions,
      'nets' | 'model' | 'minImages' | 'minFraction' | 'minR2' | 'zipfS' | 'fromEpoch' | 'includeInitial'
    > & { spectrum?: SubproblemsOptions['kind'] })
  | ({ kind: 'barrier'; nets: number[] } & Omit<BarrierSummaryOptions, 'nets' | 'cacheDir' | 'onProgress'>)
  | ({ kind: 'weightVsFunction'; logX?: boolean } & WeightFunctionOptions)
  | ({ kind: 'mphate'; color?: MphateColor } & Omit<MphateRunOptions, 'cacheDir' | 'onProgress' | 'signal'>)

/** How the figure looks: a style and size, as FigureLook carries them. */
export interface BeyondLook {
  style?: StyleName | (string & {}) | FigureStyle
  widthIn?: number
  heightIn?: number
  fontSize?: number
  dpi?: number
}

export type BeyondFigureData =
  | { kind: 'rates'; data: RatesData; options: Record<string, never> }
  | { kind: 'barrier'; data: BarrierData; options: Record<string, never> }
  | { kind: 'weightVsFunction'; data: WeightFunctionData; options: { logX?: boolean } }
  | { kind: 'stability'; data: StabilityData; options: Record<string, never> }
  | { kind: 'mphate'; data: MphateData; options: { color?: MphateColor } }

/** Runs the analysis behind a figure and returns its data. */
export async function beyondFigureData(
  project: Project,
  runId: string,
  q: BeyondFigureQuery,
  cacheDir?: string,
): Promise<BeyondFigureData> {
  switch (q.kind) {
    case 'rates': {
      const { kind: _figure, spectrum, ...rest } = q
      const r = await subproblems(project, runId, { ...rest, ...(spectrum ? { kind: spectrum } : {}), cacheDir })
      return { kind: 'rates', data: r.rates, options: {} }
    }
    case 'barrier': {
      const { kind: _figure, nets, ...rest } = q
      if (nets.length === 2) {
        const r = await barrier(project, runId, { ...rest, nets: [nets[0], nets[1]], cacheDir })
        return { kind: 'barrier', data: r.figure, options: {} }
      }
      const r = await barrierSummary(project, runId, { ...rest, nets, cacheDir })
      return { kind: 'barrier', data: r.figure, options: {} }
    }
    case 'weightVsFunction': {
      const { kind: _figure, logX, ...rest } = q
      const r = await weightVsFunction(project, runId, rest)
      return { kind: 'weightVsFunction', data: r.figure, options: logX ? { logX } : {} }
    }
    case 'mphate': {
      const { kind: _figure, color, ...rest } = q
      const r = await mphateRun(project, runId, { ...rest, cacheDir })
      return { kind: 'mphate', data: r.figure, options: color ? { color } : {} }
    }
  }
}

/** Renders already computed figure data (SVG, PNG or PDF). */
export function renderBeyondData(
  fig: BeyondFigureData,
  format: FigureFormat,
  look: BeyondLook = {},
): Promise<ExportedFigure> {
  const size = { format, widthIn: look.widthIn, heightIn: look.heightIn, fontSize: look.fontSize, dpi: look.dpi }
  const style = look.style ?? 'paper'
  switch (fig.kind) {
    case 'rates':
      return renderFigure('rates', fig.data, style, size)
    case 'barrier':
      return renderFigure('barrier', fig.data, style, size)
    case 'weightVsFunction':
      return renderFigure('weightVsFunction', fig.data, style, { ...size, figure: fig.options })
    case 'stability':
      return renderFigure('stability', fig.data, style, size)
    case 'mphate':
      return renderFigure('mphate', fig.data, style, { ...size, figure: fig.options })
  }
}

/** Computes and renders a figure. */
export async function renderBeyondFigure(
  project: Project,
  runId: string,
  q: BeyondFigureQuery,
  format: FigureFormat,
  look: BeyondLook = {},
  cacheDir?: string,
): Promise<ExportedFigure> {
  return renderBeyondData(await beyondFigureData(project, runId, q, cacheDir), format, look)
}
