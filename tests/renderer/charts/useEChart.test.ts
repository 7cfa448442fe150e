import { mount } from '@vue/test-utils'
import { defineComponent, h, nextTick, ref } from 'vue'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

/** A stand-in for an ECharts instance: records what the composable does with it. */
interface FakeChart {
  renderer: string
  resized: { width: number; height: number }[]
  options: unknown[]
  disposed: boolean
  dataUrlArgs: unknown[]
}
const charts: FakeChart[] = []
vi.mock('../../../src/renderer/src/charts/echarts', () => ({
  echarts: {
    init(_el: HTMLElement, _theme: unknown, opts: { renderer: string }) {
      const c: FakeChart = { renderer: opts.renderer, resized: [], options: [], disposed: false, dataUrlArgs: [] }
      charts.push(c)
      return {
        resize: (s: { width: number; height: number }) => c.resized.push(s),
        setOption: (o: unknown) => c.options.push(o),
        clear: () => undefined,
        dispose: () => (c.disposed = true),
        getDataURL: (a: unknown) => (c.dataUrlArgs.push(a), 'data:image/png;base64,AAAA'),
      }
    },
  },
}))

const { useEChart } = await import('../../../src/renderer/src/charts/useEChart')

// happy-dom lays nothing out: give every element a size, and run animation frames by hand.
let frames: FrameRequestCallback[] = []
let observers: ResizeObserverCallback[] = []
let size = { w: 400, h: 300 }
beforeEach(() => {
  charts.length = 0
  frames = []
  observers = []
  size = { w: 400, h: 300 }
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockImplementation(() => size.w)
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockImplementation(() => size.h)
  vi.stubGlobal('requestAnimationFrame', (f: FrameRequestCallback) => frames.push(f))
  vi.stubGlobal('cancelAnimationFrame', (id: number) => (frames[id - 1] = () => undefined))
  vi.stubGlobal(
    'ResizeObserver',
    class {
      constructor(private readonly cb: ResizeObserverCallback) {
        observers.push(cb)
      }
      observe() {}
      disconnect() {
        observers = observers.filter((o) => o !== this.cb)
      }
    },
  )
})
afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

function runFrames(): number {
  const due = frames
  frames = []
  due.forEach((f) => f(0))
  return due.length
}

function harness(opts: { renderer?: 'svg' | 'canvas'; theme?: () => string; data: () => unknown }) {
  const draws: { width: number; height: number }[] = []
  let handle!: ReturnType<typeof useEChart>
  const C = defineComponent({
    setup() {
      const el = ref<HTMLElement | null>(null)
      handle = useEChart(el, {
        renderer: opts.renderer,
        theme: opts.theme,
        draw(chart, s) {
          if (opts.data() === null) return false
          draws.push(s)
          chart.resize(s)
          chart.setOption({ data: opts.data() })
        },
      })
      return () => h('div', { ref: el, 'data-testid': 'chart' })
    },
  })
  const w = mount(C)
  return { w, draws, handle: () => handle }
}

describe('useEChart', () => {
  it('creates the chart on mount with the chosen renderer and draws on the next frame at the container’s size', () => {
    const { w, draws } = harness({ renderer: 'svg', data: () => [1] })
    expect(charts.map((c) => c.renderer)).toEqual(['svg'])
    expect(draws).toHaveLength(0)
    expect(runFrames()).toBe(1)
    expect(draws).toEqual([{ width: 400, height: 300 }])
    expect(charts[0]!.resized).toEqual([{ width: 400, height: 300 }])
    expect(w.get('[data-testid="chart"]').attributes('data-renders')).toBe('1')
    expect(
      (w.get('[data-testid="chart"]').element as unknown as { __sgdscopeChart: unknown }).__sgdscopeChart,
    ).toBeTruthy()
  })

  it('draws a burst of requests once per frame, and follows resizes', () => {
    const { w, draws, handle } = harness({ data: () => [1] })
    runFrames()
    handle().schedule()
    handle().schedule()
    handle().schedule()
    expect(runFrames()).toBe(1)
    size = { w: 640, h: 480 }
    observers.forEach((cb) => cb([], {} as ResizeObserver))
    runFrames()
    expect(draws).toEqual([
      { width: 400, height: 300 },
      { width: 400, height: 300 },
      { width: 640, height: 480 },
    ])
    expect(w.get('[data-testid="chart"]').attributes('data-renders')).toBe('3')
  })

  it('does not draw into a collapsed container, nor count a draw that had no data', () => {
    let data: unknown = null
    const { w, draws, handle } = harness({ data: () => data })
    runFrames()
    expect(w.get('[data-testid="chart"]').attributes('data-renders')).toBeUndefined()
    data = [1]
    size = { w: 10, h: 300 }
    handle().schedule()
    runFrames()
    expect(draws).toHaveLength(0)
    size = { w: 400, h: 300 }
    handle().schedule()
    runFrames()
    expect(draws).toHaveLength(1)
  })

  it('redraws when the theme changes', async () => {
    const theme = ref('light')
    const { draws } = harness({ theme: () => theme.value, data: () => [1] })
    runFrames()
    theme.value = 'dark'
    await nextTick()
    runFrames()
    expect(draws).toHaveLength(2)
  })

  it('exports the drawn chart as an image, SVG for SVG charts', () => {
    const svg = harness({ renderer: 'svg', data: () => [1] })
    expect(svg.handle().exportImage()).toBe('data:image/png;base64,AAAA')
    expect(charts[0]!.dataUrlArgs).toEqual([{ type: 'svg', pixelRatio: 2 }])
    const canvas = harness({ data: () => [1] })
    canvas.handle().exportImage({ pixelRatio: 3, backgroundColor: '#fff' })
    expect(charts[1]!.dataUrlArgs).toEqual([{ type: 'png', pixelRatio: 3, backgroundColor: '#fff' }])
  })

  it('disposes the chart and stops drawing when unmounted', () => {
    const { w, draws, handle } = harness({ data: () => [1] })
    handle().schedule()
    w.unmount()
    runFrames()
    expect(draws).toHaveLength(0)
    expect(charts[0]!.disposed).toBe(true)
    expect(observers).toHaveLength(0)
    expect(handle().exportImage()).toBeNull()
  })
})
