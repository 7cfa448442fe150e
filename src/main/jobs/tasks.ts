/**
 * The heavy work the hosts hand to the job pool (pool.ts), one entry per kind of job. A
 * task runs in a worker thread: it gets plain data (the project's folder, not a Project)
 * and returns plain data, so nothing it does can stall the host's event loop. A new kind
 * of heavy request is added here and called through `JobPool.run` in service.ts.
 */
import { Project } from '../archive/project'
import { embedPaths, pointNeighbours, runMetrics, type PathQuery, type PointRef, type View } from '../analysis/paths'
import {
  barrier,
  barrierSummary,
  subproblems,
  weightVsFunction,
  type BarrierOptions,
  type BarrierSummaryOptions,
  type SubproblemsOptions,
  type WeightFunctionOptions,
} from '../analysis/beyond'
import { pathDistances, type PathDistancesOptions } from '../analysis/beyond/path-distances'
import { stability, type StabilityOptions } from '../analysis/beyond/stability'
import { mphateRun, type MphateRunOptions } from '../analysis/beyond/mphate'
import { renderView, type ViewToRender } from '../figures/views'
import { renderBeyondFigure, type BeyondFigureQuery, type BeyondLook } from '../figures/beyond'
import type { FigureFormat } from '../figures/export'
import { renderAnimation, type AnimationFormat } from '../figures/animate'
import { readTrainData } from '../experiments/data'
import type { DatasetSpec } from '../../shared/spec'
import { measureEngineSpeed } from '../experiments/estimate'

/** What a task reports while it works; the pool forwards it (at most ten a second). */
export interface JobProgress {
  stage: string
  done: number
  total: number
}

export interface TaskContext {
  progress(p: JobProgress): void
}

interface OnRun {
  /** The open project's folder: the worker opens it itself. */
  dir: string
  runId: string
  cacheDir?: string
}

/** A rendered figure as plain data (a Buffer would arrive as a bare Uint8Array). */
interface Figure {
  content: string | Uint8Array
  widthIn: number
  heightIn: number
}
const figure = (f: { content: string | Buffer; widthIn: number; heightIn: number }): Figure => ({
  content: typeof f.content === 'string' ? f.content : new Uint8Array(f.content),
  widthIn: f.widthIn,
  heightIn: f.heightIn,
})

export const TASKS = {
  metrics: async (a: OnRun & { view: View; derived: boolean }, ctx: TaskContext) =>
    runMetrics(await Project.open(a.dir), a.runId, a.view, undefined, a.derived, (p) => ctx.progress(p)),
  embed: async (a: { dir: string; query: PathQuery; cacheDir?: string }, ctx: TaskContext) =>
    embedPaths(await Project.open(a.dir), a.query, (p) => ctx.progress(p), a.cacheDir),
  neighbours: async (a: { dir: string; query: PathQuery; point: PointRef; k: number }, ctx: TaskContext) =>
    pointNeighbours(await Project.open(a.dir), a.query, a.point, a.k, (p) => ctx.progress(p)),
  subproblems: async (a: OnRun & { options: SubproblemsOptions }) =>
    subproblems(await Project.open(a.dir), a.runId, { ...a.options, cacheDir: a.cacheDir }),
  barrier: async (a: OnRun & { options: BarrierOptions }) =>
    barrier(await Project.open(a.dir), a.runId, { ...a.options, cacheDir: a.cacheDir }),
  barrierSummary: async (a: OnRun & { options: BarrierSummaryOptions }, ctx: TaskContext) =>
    barrierSummary(await Project.open(a.dir), a.runId, {
      ...a.options,
      cacheDir: a.cacheDir,
      onProgress: (done, total) => ctx.progress({ stage: 'pairs', done, total }),
    }),
  stability: async (
    a: OnRun & { options: Omit<StabilityOptions, 'onProgress' | 'signal' | 'cacheDir'> },
    ctx: TaskContext,
  ) =>
    stability(await Project.open(a.dir), a.runId, {
      ...a.options,
      cacheDir: a.cacheDir,
      onProgress: (done, total) => ctx.progress({ stage: 'pairs', done, total }),
    }),
  mphate: async (
    a: OnRun & { options: Omit<MphateRunOptions, 'onProgress' | 'signal' | 'cacheDir'> },
    ctx: TaskContext,
  ) =>
    mphateRun(await Project.open(a.dir), a.runId, {
      ...a.options,
      cacheDir: a.cacheDir,
      onProgress: (stage, done, total) => ctx.progress({ stage, done, total }),
    }),
  weightVsFunction: async (a: OnRun & { options: WeightFunctionOptions }) =>
    weightVsFunction(await Project.open(a.dir), a.runId, a.options),
  pathDistances: async (a: { dir: string; runIds: string[]; options: PathDistancesOptions }, ctx: TaskContext) =>
    pathDistances(await Project.open(a.dir), a.runIds, a.options, (stage, done, total) =>
      ctx.progress({ stage, done, total }),
    ),
  renderView: async (a: { dir: string; view: ViewToRender; format: FigureFormat }, ctx: TaskContext) =>
    figure(await renderView(await Project.open(a.dir), a.view, a.format, (p) => ctx.progress(p))),
  renderAnimation: async (
    a: { dir: string; view: ViewToRender; format: AnimationFormat; fps: number },
    ctx: TaskContext,
  ) => {
    const { content, frames, ...rest } = await renderAnimation(await Project.open(a.dir), a.view, a.format, {
      fps: a.fps,
      onProgress: (p) => ctx.progress(p),
    })
    // Plain data: a Buffer would arrive as a bare Uint8Array.
    return {
      ...rest,
      ...(content ? { content: new Uint8Array(content) } : {}),
      ...(frames ? { frames: frames.map((f) => new Uint8Array(f)) } : {}),
    }
  },
  beyondFigure: async (a: OnRun & { figure: BeyondFigureQuery; format: FigureFormat; look: BeyondLook }) =>
    figure(await renderBeyondFigure(await Project.open(a.dir), a.runId, a.figure, a.format, a.look, a.cacheDir)),
  /** A dataset read, deskewed and made sparse; its arrays are shared with the host, not copied. */
  trainData: async (a: { spec: DatasetSpec; cacheDir?: string }) => readTrainData(a.spec, a.cacheDir),
  engineSpeed: async (a: { seconds?: number }) => measureEngineSpeed(a.seconds),
} satisfies Record<string, (args: never, ctx: TaskContext) => Promise<unknown>>

export type TaskName = keyof typeof TASKS
export type TaskArgs<N extends TaskName> = Parameters<(typeof TASKS)[N]>[0]
export type TaskResult<N extends TaskName> = Awaited<ReturnType<(typeof TASKS)[N]>>
