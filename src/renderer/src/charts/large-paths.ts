/**
 * Large paths views (issue 23): above {@link LARGE_POINTS} points (e.g. 1,000 networks × 100
 * snapshots) the paths chart draws a version thinned to what the current zoom can show —
 * each path simplified (Douglas–Peucker) to within half a pixel, markers deduplicated to one
 * per pixel per colour — recomputed when a zoom or pan ends, while hover and click are
 * answered from a grid index over every real point (exact, not from the thinned ones).
 * Pure (no DOM): unit-tested under Node; FigureChart.vue switches it on.
 */
import type { EChartsOption } from 'echarts'

/** Points (markers) above which the paths view is in large mode. */
export const LARGE_POINTS = 10_000

/** How far (px) a thinned path may stray from the original. */
export const THIN_TOLERANCE_PX = 0.5

type Obj = Record<string, unknown>
const arr = <T = Obj>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : v ? [v as T] : [])

/** Distance from p to the segment a–b. */
function segDist(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax
  const dy = by - ay
  const l2 = dx * dx + dy * dy
  const t = l2 > 0 ? Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / l2)) : 0
  return Math.hypot(px - ax - t * dx, py - ay - t * dy)
}

/**
 * The indices of a path's points kept by Douglas–Peucker at `tolerance` (data units): every
 * dropped point lies within `tolerance` of the thinned polyline. The endpoints and the
 * indices in `keep` (e.g. the time slider's current snapshot) are always kept: the path is
 * split at them. Iterative (a stack), so long paths do not overflow the call stack.
 */
export function simplifyPath(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  tolerance: number,
  keep: Iterable<number> = [],
): number[] {
  const n = xs.length
  if (n <= 2) return Array.from({ length: n }, (_, i) => i)
  const kept = new Uint8Array(n)
  kept[0] = kept[n - 1] = 1
  for (const k of keep) if (k >= 0 && k < n) kept[k] = 1
  const anchors: number[] = []
  for (let i = 0; i < n; i++) if (kept[i]) anchors.push(i)
  const stack: number[] = []
  for (let a = 1; a < anchors.length; a++) stack.push(anchors[a - 1]!, anchors[a]!)
  while (stack.length) {
    const b = stack.pop()!
    const a = stack.pop()!
    let worst = -1
    let far = tolerance
    for (let i = a + 1; i < b; i++) {
      const d = segDist(xs[i]!, ys[i]!, xs[a]!, ys[a]!, xs[b]!, ys[b]!)
      if (d > far) {
        far = d
        worst = i
      }
    }
    if (worst >= 0) {
      kept[worst] = 1
      stack.push(a, worst, worst, b)
    }
  }
  const out: number[] = []
  for (let i = 0; i < n; i++) if (kept[i]) out.push(i)
  return out
}

interface Segment {
  coords: number[][]
  lineStyle?: { color?: string }
}

/** A lines series' paths: polylines as they are, and chains of two-point segments (the
 * epoch-coloured paths are one segment per step, consecutive ones sharing an endpoint)
 * joined back into paths, each step keeping its colour. */
function chains(data: Segment[]): { coords: number[][]; colors: (string | undefined)[] }[] {
  const out: { coords: number[][]; colors: (string | undefined)[] }[] = []
  let cur: { coords: number[][]; colors: (string | undefined)[] } | null = null
  for (const d of data) {
    const c = d.coords
    const color = d.lineStyle?.color
    if (c.length !== 2) {
      cur = null
      out.push({ coords: c, colors: c.map(() => color) })
      continue
    }
    const last = cur?.coords[cur.coords.length - 1]
    if (cur && last && last[0] === c[0]![0] && last[1] === c[0]![1]) {
      cur.coords.push(c[1]!)
      cur.colors.push(color)
    } else {
      cur = { coords: [c[0]!, c[1]!], colors: [color, color] }
      out.push(cur)
    }
  }
  return out
}

/** A lines series thinned at `tolerance` (data units): each path simplified; a chain of
 * coloured steps comes back as steps between the kept points, each coloured as the original
 * step in the middle of the span it replaces. */
export function thinLines(data: Segment[], tolerance: number, polyline: boolean): Segment[] {
  const out: Segment[] = []
  for (const ch of chains(data)) {
    const xs = ch.coords.map((p) => p[0]!)
    const ys = ch.coords.map((p) => p[1]!)
    const idx = simplifyPath(xs, ys, tolerance)
    if (polyline || ch.coords.length !== ch.colors.length || idx.length < 2) {
      const color = ch.colors[0]
      out.push({ coords: idx.map((i) => ch.coords[i]!), ...(color ? { lineStyle: { color } } : {}) })
      continue
    }
    for (let k = 1; k < idx.length; k++) {
      const a = idx[k - 1]!
      const b = idx[k]!
      // colors[i] (i ≥ 1) is the colour of the step ending at point i.
      const color = ch.colors[Math.max(a + 1, Math.min(b, Math.round((a + b + 1) / 2)))]
      out.push({ coords: [ch.coords[a]!, ch.coords[b]!], ...(color ? { lineStyle: { color } } : {}) })
    }
  }
  return out
}

/** Two-point segments of one colour that join the same two pixel cells (`cell` data units)
 * drawn once: the others would paint the same pixels. Polylines are left as they are. */
export function dedupeSegments(data: Segment[], cell: number): Segment[] {
  if (!(cell > 0)) return data
  const seen = new Set<string>()
  const q = (p: number[]) => `${Math.floor(p[0]! / cell)},${Math.floor(p[1]! / cell)}`
  return data.filter((d) => {
    if (d.coords.length !== 2) return true
    const a = q(d.coords[0]!)
    const b = q(d.coords[1]!)
    const key = `${d.lineStyle?.color ?? ''}|${a < b ? a + '|' + b : b + '|' + a}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** Scatter data thinned to one marker per pixel cell (`cell` data units): the last one
 * drawn in each cell is kept (it is the one on top). */
export function thinScatter(data: unknown[], cell: number): unknown[] {
  if (!(cell > 0)) return data
  const last = new Map<string, number>()
  data.forEach((d, i) => {
    const v = (Array.isArray(d) ? d : (d as { value: number[] }).value) as number[]
    last.set(`${Math.floor(v[0]! / cell)},${Math.floor(v[1]! / cell)}`, i)
  })
  const keepIdx = [...last.values()].sort((a, b) => a - b)
  return keepIdx.map((i) => data[i])
}

/**
 * A built paths option thinned for a view where one pixel is `unitsPerPx` data units:
 * lines simplified to within {@link THIN_TOLERANCE_PX} (steps joining the same two pixels drawn
 * once), large scatter series deduplicated per
 * pixel; small series (the time slider's ringed "now" markers, a selection) are left whole.
 * Series become silent: hover and click go through {@link PointIndex}.
 */
export function thinPathsOption(option: EChartsOption, unitsPerPx: number): EChartsOption {
  const series = arr(option.series).map((s) => {
    const data = arr<unknown>(s.data)
    if (s.type === 'lines')
      return {
        ...s,
        data: dedupeSegments(thinLines(data as Segment[], unitsPerPx * THIN_TOLERANCE_PX, !!s.polyline), unitsPerPx),
      }
    if (s.type === 'scatter' && data.length > 1000) return { ...s, silent: true, data: thinScatter(data, unitsPerPx) }
    return s
  })
  return { ...option, series: series as EChartsOption['series'] }
}

/** Markers (scatter points) of a built option. */
export function countMarkers(option: EChartsOption): number {
  return arr(option.series).reduce((n, s) => n + (s.type === 'scatter' ? arr(s.data).length : 0), 0)
}

/** A point found by the hit test: its series' name and the full value [x, y, epoch, net, …]. */
export interface HitPoint {
  series: string
  value: number[]
}

/**
 * A uniform grid over points (x, y), answering "the nearest point within r" exactly: the
 * cells the disc touches are searched, so the answer equals a brute-force scan's (ties go to
 * the point drawn later, which is on top).
 */
export class PointIndex {
  readonly size: number
  private readonly xs: Float64Array
  private readonly ys: Float64Array
  private readonly cell: number
  private readonly x0: number
  private readonly y0: number
  private readonly cols: number
  private readonly rows: number
  /** Points by cell (CSR: start offsets, then point indices). */
  private readonly start: Uint32Array
  private readonly items: Uint32Array

  constructor(
    /** The points indexed (read by end-to-end tests, which check hits against a scan). */
    readonly points: HitPoint[],
    cellsPerSide = 0,
  ) {
    const n = points.length
    this.size = n
    this.xs = Float64Array.from(points, (p) => p.value[0]!)
    this.ys = Float64Array.from(points, (p) => p.value[1]!)
    let [xa, xb, ya, yb] = [Infinity, -Infinity, Infinity, -Infinity]
    for (let i = 0; i < n; i++) {
      xa = Math.min(xa, this.xs[i]!)
      xb = Math.max(xb, this.xs[i]!)
      ya = Math.min(ya, this.ys[i]!)
      yb = Math.max(yb, this.ys[i]!)
    }
    if (!n) [xa, xb, ya, yb] = [0, 1, 0, 1]
    const side = cellsPerSide || Math.max(1, Math.round(Math.sqrt(n / 4)))
    this.cell = Math.max(xb - xa, yb - ya, 1e-12) / side
    this.x0 = xa
    this.y0 = ya
    this.cols = Math.floor((xb - xa) / this.cell) + 1
    this.rows = Math.floor((yb - ya) / this.cell) + 1
    const cellOf = new Uint32Array(n)
    const count = new Uint32Array(this.cols * this.rows + 1)
    for (let i = 0; i < n; i++) {
      const c = this.cellAt(this.xs[i]!, this.ys[i]!)
      cellOf[i] = c
      count[c + 1]!++
    }
    for (let c = 1; c < count.length; c++) count[c]! += count[c - 1]!
    this.start = count.slice()
    this.items = new Uint32Array(n)
    const fill = count
    for (let i = 0; i < n; i++) this.items[fill[cellOf[i]!]!++] = i
  }

  /** Every marker of the scatter series of a built paths option that carry path values. */
  static fromOption(option: EChartsOption): PointIndex {
    const points: HitPoint[] = []
    for (const s of arr(option.series)) {
      if (s.type !== 'scatter') continue
      for (const d of arr<unknown>(s.data)) {
        const v = (Array.isArray(d) ? d : (d as { value?: unknown }).value) as number[] | undefined
        if (Array.isArray(v) && v.length >= 4) points.push({ series: String(s.name ?? ''), value: v })
      }
    }
    return new PointIndex(points)
  }

  private cellAt(x: number, y: number): number {
    const i = Math.min(this.cols - 1, Math.max(0, Math.floor((x - this.x0) / this.cell)))
    const j = Math.min(this.rows - 1, Math.max(0, Math.floor((y - this.y0) / this.cell)))
    return j * this.cols + i
  }

  /** The nearest point to (x, y) no farther than r, or null. */
  nearest(x: number, y: number, r: number): HitPoint | null {
    const i0 = Math.max(0, Math.floor((x - r - this.x0) / this.cell))
    const i1 = Math.min(this.cols - 1, Math.floor((x + r - this.x0) / this.cell))
    const j0 = Math.max(0, Math.floor((y - r - this.y0) / this.cell))
    const j1 = Math.min(this.rows - 1, Math.floor((y + r - this.y0) / this.cell))
    let best = -1
    let bestD = r * r
    for (let j = j0; j <= j1; j++)
      for (let i = i0; i <= i1; i++) {
        const c = j * this.cols + i
        for (let k = this.start[c]!; k < this.start[c + 1]!; k++) {
          const p = this.items[k]!
          const d = (this.xs[p]! - x) ** 2 + (this.ys[p]! - y) ** 2
          if (d < bestD || (d === bestD && p > best && best >= 0)) {
            bestD = d
            best = p
          }
        }
      }
    return best >= 0 ? this.points[best]! : null
  }
}
