/**
 * The beyond-the-paper analyses' data: subproblem rates, barriers and
 * weight-vs-function distances fetched from the host, cached per (run, query) so that
 * revisiting the tab or toggling back is instant, plus figure export through the host's
 * headless renderer (the file is what the CLI writes).
 */
import { defineStore } from 'pinia'
import type { ArgsOf, CallOptions, RenderedFigure } from '../../../../shared/api/contract'
import { api } from '../../lib/api'
import { claimFileName, nextFileName } from '../../lib/export-names'
import { sharedRequests, type Shared } from '../../lib/shared-requests'

type Start<T> = (opts: CallOptions) => Promise<T>

export type SubproblemsQuery = Omit<ArgsOf<'beyond.subproblems'>, 'runId'>
export type BarrierQuery = Omit<ArgsOf<'beyond.barrier'>, 'runId'>
export type BarrierSummaryQuery = Omit<ArgsOf<'beyond.barrierSummary'>, 'runId'>
export type WeightFunctionQuery = Omit<ArgsOf<'beyond.weightVsFunction'>, 'runId'>
export type PathDistancesQuery = ArgsOf<'beyond.pathDistances'>
export type MphateQuery = Omit<ArgsOf<'beyond.mphate'>, 'runId'>
export type BeyondFigureQuery = ArgsOf<'beyond.figure'>['figure']
export type FigureFormat = 'svg' | 'png' | 'pdf'

const MIME: Record<FigureFormat, string> = { svg: 'image/svg+xml', png: 'image/png', pdf: 'application/pdf' }

function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(base64)
  const out = new Uint8Array(new ArrayBuffer(bin.length))
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** Stable key of a query (object keys sorted). */
function keyOf(runId: string, what: string, q: object): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, sort(x)]),
          )
        : v
  return `${runId}\u0000${what}\u0000${JSON.stringify(sort(q))}`
}

export const useBeyondStore = defineStore('beyond', () => {
  const cache = new Map<string, Shared<object>>()
  /** Requests in flight (the view shows a busy state) and the last progress line of one. */
  const { inFlight, progress, shared } = sharedRequests()

  const cached = <T extends object>(key: string, fresh: boolean, what: string, f: Start<T>, signal?: AbortSignal) =>
    shared(cache as Map<string, Shared<T>>, key, fresh, what, f, signal)

  const subproblems = (runId: string, q: SubproblemsQuery, fresh = false, signal?: AbortSignal) =>
    cached(
      keyOf(runId, 'subproblems', q),
      fresh,
      'beyond.subproblems',
      (o) => api().call('beyond.subproblems', { runId, ...q }, o),
      signal,
    )
  const barrier = (runId: string, q: BarrierQuery, fresh = false, signal?: AbortSignal) =>
    cached(
      keyOf(runId, 'barrier', q),
      fresh,
      'beyond.barrier',
      (o) => api().call('beyond.barrier', { runId, ...q }, o),
      signal,
    )
  const barrierSummary = (runId: string, q: BarrierSummaryQuery, fresh = false, signal?: AbortSignal) =>
    cached(
      keyOf(runId, 'barrierSummary', q),
      fresh,
      'beyond.barrierSummary',
      (o) => api().call('beyond.barrierSummary', { runId, ...q }, o),
      signal,
    )
  const weightVsFunction = (runId: string, q: WeightFunctionQuery, fresh = false, signal?: AbortSignal) =>
    cached(
      keyOf(runId, 'weightVsFunction', q),
      fresh,
      'beyond.weightVsFunction',
      (o) => api().call('beyond.weightVsFunction', { runId, ...q }, o),
      signal,
    )

  /** A spawned run's stability per spawn point. */
  const stability = (runId: string, fresh = false, signal?: AbortSignal) =>
    cached(
      keyOf(runId, 'stability', {}),
      fresh,
      'beyond.stability',
      (o) => api().call('beyond.stability', { runId }, o),
      signal,
    )

  /** M-PHATE of one or two networks' hidden units. */
  const mphate = (runId: string, q: MphateQuery, fresh = false, signal?: AbortSignal) =>
    cached(
      keyOf(runId, 'mphate', q),
      fresh,
      'beyond.mphate',
      (o) => api().call('beyond.mphate', { runId, ...q }, o),
      signal,
    )

  /** Distances between whole paths of one or more runs (cached under every run it reads). */
  const pathDistances = (q: PathDistancesQuery, fresh = false, signal?: AbortSignal) =>
    cached(
      keyOf(q.runs.join('\u0001'), 'pathDistances', q),
      fresh,
      'beyond.pathDistances',
      (o) => api().call('beyond.pathDistances', q, o),
      signal,
    )

  /** Forgets a run's results (after it trained further). */
  function invalidate(runId: string): void {
    for (const k of [...cache.keys()]) {
      const runs = k.slice(0, k.indexOf('\u0000')).split('\u0001')
      if (runs.includes(runId)) cache.delete(k)
    }
  }

  /** Renders a figure on the host and downloads it; returns the file name: the run's
   * label and the figure kind, with a counter when this window already used it. */
  async function download(
    runId: string,
    figure: BeyondFigureQuery,
    format: FigureFormat,
    label: string,
    widthIn = 3.5,
  ): Promise<string> {
    const r: RenderedFigure = await api().call('beyond.figure', {
      runId,
      figure,
      format,
      look: { style: 'paper', widthIn },
    })
    const blob = new Blob([r.format === 'svg' ? r.data : bytesOf(r.data)], { type: MIME[format] })
    const file = nextFileName({ labels: [label], kind: figure.kind }, format)
    const url = URL.createObjectURL(blob)
    const a = document.createElement('a')
    a.href = url
    a.download = file
    document.body.appendChild(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
    claimFileName(file)
    return file
  }

  return {
    inFlight,
    progress,
    subproblems,
    barrier,
    barrierSummary,
    weightVsFunction,
    stability,
    mphate,
    pathDistances,
    invalidate,
    download,
  }
})
