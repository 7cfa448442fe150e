/**
 * The parts every figure shares: pixel metrics derived from a style, the base
 * option, boxed value axes with exact tick placement, and free text. Builders lay a
 * figure out in exact CSS pixels (grids with `outerBoundsMode: 'none'`), so what is
 * computed here is what is drawn, on screen and in every export format.
 */
import type { EChartsOption, GraphicComponentOption, XAXisComponentOption, YAXisComponentOption } from 'echarts'
import { ptToPx, type FigureStyle } from './style'
import { formatTick, isMultiple, textWidth } from './ticks'

/** Pixel sizes derived from a style. */
export interface FrameMetrics {
  /** Base font size (tick labels, legend). */
  fpx: number
  /** Title font size. */
  titlePx: number
  /** Outer padding of the figure. */
  pad: number
  /** Tick length. */
  tick: number
  /** Gap between a tick and its label. */
  labelGap: number
  /** Axis / frame line width. */
  axisPx: number
  /** Data line width. */
  linePx: number
  /** Marker diameter. */
  pointPx: number
}

export function frameMetrics(style: FigureStyle): FrameMetrics {
  const fpx = ptToPx(style.fontSize)
  return {
    fpx,
    titlePx: fpx * 1.15,
    pad: Math.max(3, fpx * 0.35),
    tick: Math.max(2.5, fpx * 0.3),
    labelGap: Math.max(1.5, fpx * 0.2),
    axisPx: Math.max(0.75, ptToPx(0.6)),
    linePx: ptToPx(style.lineWidth),
    pointPx: ptToPx(style.pointSize),
  }
}

export function baseOption(style: FigureStyle, m: FrameMetrics): EChartsOption {
  return {
    animation: false,
    backgroundColor: style.background,
    textStyle: { fontFamily: style.fontFamily, fontSize: m.fpx, color: style.foreground },
  }
}

/** Width of the widest label among `ticks` formatted with `step`. */
export function labelsWidth(ticks: number[], step: number, fpx: number): number {
  return ticks.reduce((w, t) => Math.max(w, textWidth(formatTick(t, step), fpx)), 0)
}

export interface AxisSpec {
  gridIndex: number
  min: number
  max: number
  /** Tick interval (linear axes). */
  step?: number
  /** Explicit tick positions (overrides `step` for ticks and labels; ECharts would
   * otherwise count ticks from `min`, which equal-aspect ranges rarely make nice). */
  ticks?: number[]
  log?: boolean
  /** A log axis' left end standing for 0 (which a log axis cannot show): labelled "0". */
  zeroAt?: number
  name?: string
  /** Show tick labels (false for inner panels sharing an axis). */
  labels?: boolean
  /** Distance from the axis line to the axis name's near edge. */
  nameGap?: number
  /** Horizontal split lines (y) / vertical (x). */
  splitLine?: boolean
}

function axisCommon(style: FigureStyle, m: FrameMetrics, a: AxisSpec) {
  const showLabels = a.labels !== false
  // Labels at the ends of the range are shown only when they sit on a tick multiple;
  // equal-aspect ranges rarely end on one, and ECharts would print e.g. "-3.4721".
  // On log axes only powers of ten are labelled.
  const onStep = (v: number) => (a.log ? isMultiple(Math.log10(v), 1) : a.step ? isMultiple(v, a.step) : true)
  return {
    gridIndex: a.gridIndex,
    type: a.log ? ('log' as const) : ('value' as const),
    min: a.min,
    max: a.max,
    ...(a.step && !a.log ? { interval: a.step } : {}),
    ...(a.log ? { logBase: 10 } : {}),
    scale: true,
    name: showLabels ? (a.name ?? '') : '',
    nameLocation: 'middle' as const,
    nameGap: a.nameGap ?? 0,
    nameMoveOverlap: false,
    nameTextStyle: { fontSize: m.fpx, color: style.foreground, fontFamily: style.fontFamily },
    axisLine: { show: false, onZero: false },
    axisTick: {
      show: true,
      inside: false,
      length: m.tick,
      lineStyle: { color: style.foreground, width: m.axisPx },
      ...(a.ticks ? { customValues: a.ticks } : {}),
    },
    minorTick: { show: false },
    axisLabel: {
      show: showLabels,
      // Measured from the axis line, so it includes the (outward) tick.
      margin: m.tick + m.labelGap,
      fontSize: m.fpx,
      fontFamily: style.fontFamily,
      color: style.foreground,
      hideOverlap: false,
      // (With explicit ticks, ECharts applies these to the first and last of them.)
      showMinLabel: a.ticks ? true : onStep(a.min),
      showMaxLabel: a.ticks ? true : onStep(a.max),
      ...(a.ticks ? { customValues: a.ticks } : {}),
      ...(a.zeroAt !== undefined
        ? { formatter: (v: number) => (Math.abs(v - a.zeroAt!) <= 1e-9 * a.zeroAt! ? '0' : String(+v.toPrecision(6))) }
        : {}),
    },
    splitLine: { show: !!a.splitLine, lineStyle: { color: '#dddddd', width: m.axisPx * 0.8 } },
    splitArea: { show: false },
    axisPointer: { show: false },
  }
}

export function xAxis(style: FigureStyle, m: FrameMetrics, a: AxisSpec): XAXisComponentOption {
  return { ...axisCommon(style, m, a), position: 'bottom' } as XAXisComponentOption
}

export function yAxis(style: FigureStyle, m: FrameMetrics, a: AxisSpec): YAXisComponentOption {
  return { ...axisCommon(style, m, a), position: 'left' } as YAXisComponentOption
}

/** A grid at an exact pixel rectangle (its frame is drawn by {@link frameBox}). */
export function grid(_style: FigureStyle, _m: FrameMetrics, r: Rect) {
  return {
    left: r.x,
    top: r.y,
    width: r.w,
    height: r.h,
    show: false,
    outerBoundsMode: 'none' as const,
    containLabel: false,
  }
}

/** The frame around a plot, drawn above grid lines and data (ECharts draws a grid's
 * own border below them, where split lines and curves at the edges cover it). */
export function frameBox(style: FigureStyle, m: FrameMetrics, r: Rect): GraphicComponentOption {
  return {
    type: 'rect',
    silent: true,
    z: 100,
    shape: { x: r.x, y: r.y, width: r.w, height: r.h },
    style: { fill: 'none', stroke: style.foreground, lineWidth: m.axisPx },
  } as GraphicComponentOption
}

export interface Rect {
  x: number
  y: number
  w: number
  h: number
}

export interface TextSpec {
  text: string
  x: number
  y: number
  align?: 'left' | 'center' | 'right'
  verticalAlign?: 'top' | 'middle' | 'bottom'
  size?: number
  weight?: 'normal' | 'bold'
  color?: string
  /** Radians, counter-clockwise. */
  rotation?: number
}

/** Free text as a graphic element (exact placement, exported as SVG text). */
export function text(style: FigureStyle, m: FrameMetrics, t: TextSpec): GraphicComponentOption {
  return {
    type: 'text',
    x: t.x,
    y: t.y,
    rotation: t.rotation ?? 0,
    silent: true,
    style: {
      text: t.text,
      fill: t.color ?? style.foreground,
      fontSize: t.size ?? m.fpx,
      fontFamily: style.fontFamily,
      fontWeight: t.weight ?? 'normal',
      align: t.align ?? 'left',
      verticalAlign: t.verticalAlign ?? 'top',
    },
  } as GraphicComponentOption
}

export const round2 = (v: number): number => Math.round(v * 100) / 100
