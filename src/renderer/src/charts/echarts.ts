/**
 * The parts of ECharts the workbench draws with, registered once: exactly the series
 * and components the shared figure builders (src/shared/figures) and the live
 * learning curve emit, so the bundle carries nothing else. Canvas draws the figures
 * (many points); SVG draws the live curve (sharp, inspectable in tests).
 */
import * as echarts from 'echarts/core'
import { HeatmapChart, LineChart, LinesChart, ScatterChart } from 'echarts/charts'
import {
  DataZoomInsideComponent,
  GraphicComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
} from 'echarts/components'
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers'

echarts.use([
  HeatmapChart,
  LineChart,
  LinesChart,
  ScatterChart,
  DataZoomInsideComponent,
  GraphicComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
  CanvasRenderer,
  SVGRenderer,
])

export { echarts }
export type ECharts = ReturnType<typeof echarts.init>
