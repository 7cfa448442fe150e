/**
 * The figure registry: kind → builder. A new figure is added here and nowhere else;
 * the exporters, the CLI and the app look kinds up in {@link FIGURES}.
 */
import type { EChartsOption } from 'echarts'
import type { MetricsData, PathsData } from './data'
import type { BarrierData, MphateData, RatesData, StabilityData, WeightFunctionData } from './beyond-data'
import { barrierHeightIn, buildBarrier, type BarrierFigureOptions } from './barrier'
import { buildMetrics, metricsHeightIn, type MetricsOptions } from './metrics'
import { buildMphate, mphateHeightIn, type MphateFigureOptions } from './mphate'
import { buildCompare, buildPaths, pathsHeightIn, type PathsOptions } from './paths'
import { buildRates, ratesHeightIn, type RatesOptions } from './rates'
import { buildShepard, shepardHeightIn, type ShepardOptions } from './shepard'
import { buildStability, stabilityHeightIn, type StabilityFigureOptions } from './stability'
import type { FigureStyle } from './style'
import { buildWeightFunction, weightFunctionHeightIn, type WeightFunctionOptions } from './weight-function'

export interface FigureDef<D, O> {
  /** One line for menus and `--help`. */
  description: string
  /** (data, style, options) → ECharts option. Pure; the size is the style's. */
  build(data: D, style: FigureStyle, options?: O): EChartsOption
  /** Natural height in inches for the style's width (used when the style has none). */
  heightIn(data: D, style: FigureStyle, options?: O): number
}

const def = <D, O>(d: FigureDef<D, O>): FigureDef<D, O> => d

export const FIGURES = {
  paths: def<PathsData, PathsOptions>({
    description: 'embedded SGD paths of every network, coloured by epoch; several runs overlaid',
    build: buildPaths,
    heightIn: (d, s, o) => pathsHeightIn(d, s, o, 'overlay'),
  }),
  compare: def<PathsData, PathsOptions>({
    description: 'several runs side by side in panels with shared axes (or overlaid)',
    build: buildCompare,
    heightIn: (d, s, o) => pathsHeightIn(d, s, o, 'panels'),
  }),
  shepard: def<PathsData, ShepardOptions>({
    description: 'Shepard diagram: embedded against original distance of every pair (binned when many), isotonic fit',
    build: buildShepard,
    heightIn: shepardHeightIn,
  }),
  metrics: def<MetricsData, MetricsOptions>({
    description: 'test/train error and loss against epoch: per-network lines, median and range',
    build: buildMetrics,
    heightIn: metricsHeightIn,
  }),
  rates: def<RatesData, RatesOptions>({
    description:
      'subproblem convergence rates sorted by rank, log–log, per network and median, beside the toy model’s Zipf spectrum',
    build: buildRates,
    heightIn: ratesHeightIn,
  }),
  barrier: def<BarrierData, BarrierFigureOptions>({
    description: 'loss and error along the straight line between two networks, before and after aligning hidden units',
    build: buildBarrier,
    heightIn: barrierHeightIn,
  }),
  weightVsFunction: def<WeightFunctionData, WeightFunctionOptions>({
    description: 'distance between networks over training in weight space (aligned) and in function space (τ)',
    build: buildWeightFunction,
    heightIn: weightFunctionHeightIn,
  }),
  stability: def<StabilityData, StabilityFigureOptions>({
    description:
      'error barrier between siblings spawned at epoch k against k (log), per parent and mean, beside strangers',
    build: buildStability,
    heightIn: stabilityHeightIn,
  }),
  mphate: def<MphateData, MphateFigureOptions>({
    description:
      "M-PHATE of hidden units: every (unit, snapshot) of one or two networks (units matched), coloured by epoch, layer or a unit's most-activating class",
    build: buildMphate,
    heightIn: mphateHeightIn,
  }),
}

export type FigureKind = keyof typeof FIGURES
export const FIGURE_KINDS = Object.keys(FIGURES) as FigureKind[]
export type FigureDataOf<K extends FigureKind> = (typeof FIGURES)[K] extends FigureDef<infer D, unknown> ? D : never
export type FigureOptionsOf<K extends FigureKind> = (typeof FIGURES)[K] extends FigureDef<unknown, infer O> ? O : never

export function isFigureKind(kind: string): kind is FigureKind {
  return Object.prototype.hasOwnProperty.call(FIGURES, kind)
}

/** The figure's option with the style's size: the style's height, or the figure's
 * natural height for its width. Returns the size used, in inches. */
export function buildFigure<K extends FigureKind>(
  kind: K,
  data: FigureDataOf<K>,
  style: FigureStyle,
  options?: FigureOptionsOf<K>,
): { option: EChartsOption; widthIn: number; heightIn: number } {
  if (!isFigureKind(kind)) throw new Error(`unknown figure kind "${String(kind)}" (known: ${FIGURE_KINDS.join(', ')})`)
  const f = FIGURES[kind] as unknown as FigureDef<FigureDataOf<K>, FigureOptionsOf<K>>
  const heightIn = style.heightIn ?? f.heightIn(data, style, options)
  const sized = { ...style, heightIn }
  return { option: f.build(data, sized, options), widthIn: style.widthIn, heightIn }
}
