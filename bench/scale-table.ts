/**
 * The table `npm run bench -- scale` prints (bench/scale.ts): one row per (size, method), its wall
 * time and peak memory beside their goals, and its stress (exact, or estimated with its interval).
 * Pure formatting, so a fast test checks it (tests/bench/scale-table.test.ts).
 */

export interface ScaleRow {
  points: number
  /** `sgdscope landmark`, `scikit-learn smacof`, … */
  method: string
  /** Wall seconds, or undefined when the case was skipped. */
  seconds?: number
  /** CPU seconds (user + system) of the child process: on a shared machine the wall time also
   * measures the neighbours. */
  cpuSeconds?: number
  /** Peak resident memory of the child process, bytes. */
  peakBytes?: number
  stress?: number
  /** Estimated stress: its 95 % interval. */
  estimate?: { low: number; high: number }
  /** Why the case did not run (memory, time), or what failed. */
  note?: string
}

/** Goals of issue 23: 100,000 points by landmark ≤ 60 s and ≤ 4 GB, 10,000 by SMACOF ≤ 60 s. */
export interface ScaleGoal {
  seconds?: number
  bytes?: number
}

export function goalFor(row: Pick<ScaleRow, 'points' | 'method'>): ScaleGoal {
  if (row.method === 'sgdscope landmark' && row.points >= 100_000) return { seconds: 60, bytes: 4 * 1024 ** 3 }
  if (row.method === 'sgdscope smacof' && row.points <= 10_000) return { seconds: 60 }
  return {}
}

const GB = 1024 ** 3

function mark(ok: boolean): string {
  return ok ? '✓' : '✗'
}

export function formatSeconds(row: ScaleRow, goal: ScaleGoal = goalFor(row)): string {
  if (row.seconds === undefined) return '—'
  if (row.note?.startsWith('failed')) return `${row.seconds.toFixed(1)} s`
  const t = `${row.seconds.toFixed(1)} s`
  return goal.seconds !== undefined ? `${t} (goal ≤ ${goal.seconds} s ${mark(row.seconds <= goal.seconds)})` : t
}

export function formatMemory(row: ScaleRow, goal: ScaleGoal = goalFor(row)): string {
  if (row.peakBytes === undefined) return '—'
  const m = `${(row.peakBytes / GB).toFixed(2)} GB`
  return goal.bytes !== undefined ? `${m} (goal ≤ ${goal.bytes / GB} GB ${mark(row.peakBytes <= goal.bytes)})` : m
}

export function formatStress(row: ScaleRow): string {
  if (row.stress === undefined || !Number.isFinite(row.stress)) return '—'
  if (!row.estimate) return `${row.stress.toFixed(4)} (exact)`
  return `≈${row.stress.toFixed(4)} (estimated, 95 % CI ${row.estimate.low.toFixed(4)}–${row.estimate.high.toFixed(4)})`
}

/** The table as lines of text, columns padded. */
export function scaleTable(rows: readonly ScaleRow[]): string[] {
  const head = ['points', 'method', 'wall time', 'CPU', 'peak memory', 'stress-1', 'note']
  const body = rows.map((r) => [
    r.points.toLocaleString('en-US'),
    r.method,
    formatSeconds(r),
    r.cpuSeconds === undefined ? '—' : `${r.cpuSeconds.toFixed(1)} s`,
    formatMemory(r),
    formatStress(r),
    r.note ?? '',
  ])
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((x, c) => x.padEnd(widths[c]!))
      .join('  ')
      .trimEnd()
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)]
}

/** "Maximum resident set size (kbytes): 123" of GNU time -v, in bytes. */
export function maxRssFromTime(stderr: string): number | undefined {
  const m = /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(stderr)
  return m ? Number(m[1]) * 1024 : undefined
}

/** User + system seconds of GNU time -v. */
export function cpuFromTime(stderr: string): number | undefined {
  const u = /User time \(seconds\):\s*([0-9.]+)/.exec(stderr)
  const k = /System time \(seconds\):\s*([0-9.]+)/.exec(stderr)
  return u && k ? Number(u[1]) + Number(k[1]) : undefined
}
