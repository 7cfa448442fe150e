/** The parts of ECharts the analysis views use (tree-shaken: charts, components, canvas). */
import * as echarts from 'echarts/core'
import { LineChart, LinesChart, ScatterChart } from 'echarts/charts'
import {
  DataZoomInsideComponent,
  GraphicComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
} from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([
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
])

export { echarts }
export type ECharts = ReturnType<typeof echarts.init>
