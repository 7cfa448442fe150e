/**
 * One ECharts instance bound to an element, for every chart of the workbench: created
 * when the element mounts, redrawn on the next animation frame when the container
 * resizes, the theme changes or the caller asks (a burst of slider events draws once),
 * disposed on unmount, and exported as an image.
 *
 * The element carries data-renders (draws so far) and the instance as
 * `__sgdscopeChart`, for end-to-end tests that read the option or hover a point.
 */
import { onBeforeUnmount, onMounted, shallowRef, watch, type Ref, type ShallowRef } from 'vue'
import { echarts, type ECharts } from './echarts'

export interface ChartSize {
  width: number
  height: number
}

export interface UseEChartOptions {
  /** Canvas for many points; SVG for crisp small charts. */
  renderer?: 'canvas' | 'svg'
  /**
   * Sets the chart's option for the container's size. Returns false when it drew
   * nothing (no data yet), so the render count stays.
   */
  draw: (chart: ECharts, size: ChartSize) => boolean | void
  /** Smaller containers (hidden, collapsed) are not drawn. */
  minSize?: number
  /** The app's theme: a change redraws (colours are read from CSS when drawing). */
  theme?: () => string
}

export interface EChartHandle {
  chart: ShallowRef<ECharts | null>
  /** Redraws on the next frame (calls during one frame draw once). */
  schedule: () => void
  /** The chart as it is drawn now, as a data URL (PNG or, for SVG charts, SVG). */
  exportImage: (opts?: {
    type?: 'png' | 'jpeg' | 'svg'
    pixelRatio?: number
    backgroundColor?: string
  }) => string | null
}

export function useEChart(el: Ref<HTMLElement | null>, opts: UseEChartOptions): EChartHandle {
  const chart = shallowRef<ECharts | null>(null)
  const minSize = opts.minSize ?? 20
  let frame = 0
  let renders = 0
  let observer: ResizeObserver | null = null

  function draw(): void {
    frame = 0
    const c = chart.value
    const host = el.value
    if (!c || !host) return
    const width = host.clientWidth
    const height = host.clientHeight
    if (width < minSize || height < minSize) return
    if (opts.draw(c, { width, height }) === false) return
    renders++
    host.dataset.renders = String(renders)
  }

  function schedule(): void {
    if (!frame) frame = requestAnimationFrame(draw)
  }

  function exportImage(o: Parameters<EChartHandle['exportImage']>[0] = {}): string | null {
    const c = chart.value
    if (!c) return null
    const type = o.type ?? (opts.renderer === 'svg' ? 'svg' : 'png')
    return c.getDataURL({
      type,
      pixelRatio: o.pixelRatio ?? 2,
      ...(o.backgroundColor ? { backgroundColor: o.backgroundColor } : {}),
    })
  }

  onMounted(() => {
    const host = el.value
    if (!host) return
    chart.value = echarts.init(host, null, { renderer: opts.renderer ?? 'canvas' })
    Object.defineProperty(host, '__sgdscopeChart', { value: chart.value, configurable: true })
    observer = new ResizeObserver(() => schedule())
    observer.observe(host)
    schedule()
  })

  onBeforeUnmount(() => {
    observer?.disconnect()
    observer = null
    if (frame) cancelAnimationFrame(frame)
    frame = 0
    chart.value?.dispose()
    chart.value = null
  })

  if (opts.theme) watch(opts.theme, () => schedule())

  return { chart, schedule, exportImage }
}
