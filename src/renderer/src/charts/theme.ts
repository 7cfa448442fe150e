/** Chart colours taken from the theme's CSS variables, so charts follow light and dark. */
import type { ComposeOption } from 'echarts/core'
import type {
  GridComponentOption,
  HeatmapSeriesOption,
  LegendComponentOption,
  LineSeriesOption,
  ScatterSeriesOption,
  TooltipComponentOption,
  VisualMapComponentOption,
} from 'echarts'

/** What the workbench's own charts (EChart.vue) are drawn from. */
export type ChartOption = ComposeOption<
  | LineSeriesOption
  | ScatterSeriesOption
  | HeatmapSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TooltipComponentOption
  | VisualMapComponentOption
>

export interface ChartColors {
  text: string
  muted: string
  axis: string
  grid: string
  surface: string
  accent: string
  /** Categorical colours for a few series (Okabe–Ito, colour-blind safe). */
  series: string[]
}

const OKABE_ITO = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#7a6f00', '#000000']
const OKABE_ITO_DARK = ['#56B4E9', '#FF8C42', '#2BD69B', '#E58FC4', '#F0C24B', '#8FD3FF', '#D9D26A', '#E0E0E0']

export function chartColors(theme: 'light' | 'dark'): ChartColors {
  const css = getComputedStyle(document.documentElement)
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback
  return {
    text: v('--text', '#1b2230'),
    muted: v('--muted', '#6b7588'),
    axis: v('--chart-axis', '#8a93a5'),
    grid: v('--chart-grid', '#e6e9ef'),
    surface: v('--surface', '#ffffff'),
    accent: v('--accent', '#2457c5'),
    series: theme === 'dark' ? OKABE_ITO_DARK : OKABE_ITO,
  }
}
