/**
 * The one implementation of the API contract (src/shared/api/contract.ts). Hosts
 * (Electron IPC, the browser host's WebSocket, tests) call `call(name, args)` with
 * whatever arrived and subscribe to events with `on`; arguments are validated here,
 * so a bad request gets a structured error and changes nothing. Every failure leaves
 * here as an ApiError (src/shared/api/errors.ts) with its code and details.
 */
import { defaultMethod } from '../shared/embedding-scale'
import { fs } from './archive/file-pool'
import * as path from 'node:path'
import {
  ApiError,
  parseRequest,
  type EventName,
  type Events,
  type CallOptions,
  type ParsedArgsOf,
  type ProjectSummary,
  type RequestName,
  type ResultOf,
  type RunStatus,
} from '../shared/api/contract'
import { badInput, describeIssues } from '../shared/api/errors'
import { PRESETS, isPresetId, scaledPresetName } from '../shared/presets'
import { checkSpec } from '../shared/spec'
import { Project } from './archive/project'
import { setRunDisplay } from './archive/display'
import type { RunArchive } from './archive/run'
import { writeFileAtomic } from './archive/atomic'
import { sequenceNames } from './figures/sequence-names'
import { defaultWorkerCount } from './engine/pool'
import { createRun, liveStatus, trainRun } from './experiments/runner'
import { createSpawnRun, planSpawn } from './experiments/spawn'
import { preflightSpec, type EngineSpeed } from './experiments/estimate'
import type { TrainDataLoader } from './experiments/data'
import { ProjectWatcher, type WatchOptions } from './archive/watch'
import { toApiError } from './errors'
import { runDetails, runSummary } from './experiments/summary'
import { viewFileName } from './figures/file-names'
import { JobPool, type JobOptions } from './jobs/pool'
import type { JobProgress, TaskArgs, TaskName, TaskResult } from './jobs/tasks'
import type { SettingsStore } from './settings'
import { SGDSCOPE_VERSION } from './version'
import { checkWritable, defaultExportDir } from './write-guard'
import { importRun } from './importers'

/** What a request's handler gets besides its arguments. */
interface CallContext {
  /** Aborted when the caller gives up (the transport's cancel, a closed connection). */
  signal?: AbortSignal
  /** Reports progress of this call (a `job.progress` event when the caller gave a key). */
  progress(p: JobProgress): void
}
type Handlers = { [N in RequestName]: (args: ParsedArgsOf<N>, ctx: CallContext) => Promise<ResultOf<N>> }
type Listener = <E extends EventName>(event: E, payload: Events[E]) => void

/** Native dialogs, where the host has them (the desktop app). */
export interface HostDialogs {
  /** Absolute path chosen by the user, or null if cancelled. */
  saveFile(defaultName: string, format?: 'svg' | 'png' | 'pdf'): Promise<string | null>
  /** A file (or, where the platform allows, a Zarr folder) to import; null if cancelled. */
  openFile?(purpose: 'import'): Promise<string | null>
}

export interface ServiceOptions {
  host: 'electron' | 'browser'
  dialogs?: HostDialogs
  /** Where the browser host may write exports besides the open project (default ~/Downloads). */
  exportDir?: string
  settings: SettingsStore
  /** Where deskewed datasets are cached (default: the datasets layer's). */
  cacheDir?: string
  /** Watching the open project for runs written by other processes (default on). */
  watch?: WatchOptions | false
  /** Threads of the pool that runs heavy requests (default: one per core). */
  jobThreads?: number
  /** Computing a finished run's derived metrics and default embeddings in the background, so
   * that it opens with them (the hosts turn it on; default off, so tests see only their own work). */
  precompute?: boolean
  /** Starting the job threads when a project opens, so its first heavy request does not
   * wait for one to load (default: as `precompute`). */
  warmJobs?: boolean
}

interface Training {
  runId: string
  abort: AbortController
  done: Promise<void>
  started: boolean
  /** The archive its trainer writes (set once training starts). */
  archive?: RunArchive
}

export class Service {
  private project: Project | null = null
  private watcher: ProjectWatcher | null = null
  private listeners = new Set<Listener>()
  /** Runs waiting or training, in order; one trains at a time (it uses every core). */
  private queue: Training[] = []
  private tail: Promise<void> = Promise.resolve()
  /** Set by close(): later requests end `cancelled`. */
  private closed = false
  /** Imports under way (runs.cancelImport aborts them). */
  private imports = new Set<AbortController>()
  /** Heavy requests run here, off the host's event loop (started on first use). */
  private pool: JobPool | null = null
  /** The engine's measured speed, once per process (spec.preflight's time estimates). */
  private speed: Promise<EngineSpeed> | null = null
  /** Aborts the open project's background precomputation (when it closes). */
  private background: AbortController | null = null
  /** The background precomputation under way: close() waits for it, so nothing writes
   * into the project after the host has stopped. */
  private backgroundDone: Promise<void> = Promise.resolve()

  constructor(private readonly opts: ServiceOptions) {}

  on(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const l of this.listeners) {
      try {
        l(event, payload)
      } catch {
        /* a broken listener must not stop training */
      }
    }
  }

  private log(level: Events['log']['level'], message: string): void {
    this.emit('log', { level, message, time: new Date().toISOString() })
  }

  /** Validates and runs one request. Every failure is an ApiError {code, message}. */
  async call(name: unknown, args: unknown, opts: CallOptions = {}): Promise<unknown> {
    const req = parseRequest(name, args)
    if (this.closed) throw new ApiError('cancelled', `${req.name}: sgdscope is shutting down`, { request: req.name })
    const key = opts.key
    const ctx: CallContext = {
      signal: opts.signal,
      progress: (p) => {
        if (key !== undefined) this.emit('job.progress', { key, request: req.name, ...p })
      },
    }
    try {
      const handler = this.handlers[req.name] as (a: unknown, c: CallContext) => Promise<unknown>
      return await handler(req.args, ctx)
    } catch (e) {
      throw toApiError(e, { request: req.name, runField: this.runField(req.name) })
    }
  }

  private runField(request: RequestName): string {
    return request === 'paths.embed' ? 'runs' : 'runId'
  }

  /** Typed call for in-process use (tests, the CLI). */
  request<N extends RequestName>(name: N, args: unknown, opts?: CallOptions): Promise<ResultOf<N>> {
    return this.call(name, args, opts) as Promise<ResultOf<N>>
  }

  /** Runs a heavy task in the job pool, on behalf of request `request`. */
  private job<N extends TaskName>(
    request: RequestName,
    ctx: CallContext,
    task: N,
    args: TaskArgs<N>,
    priority: JobOptions['priority'] = 'interactive',
  ): Promise<TaskResult<N>> {
    return this.jobs().run(task, args, {
      priority,
      signal: ctx.signal,
      onProgress: (p) => ctx.progress(p),
      context: { request, runField: this.runField(request) },
    })
  }

  /**
   * What a finished run's views ask first — its derived metrics and its default (SMACOF)
   * embeddings, τ and κ — computed by background jobs into the run's caches. Results cached
   * already are found at once; a resumed or extended run has new cache keys.
   */
  private precompute(runIds: string[]): void {
    const project = this.project
    if (!this.opts.precompute || !project || runIds.length === 0) return
    this.background ??= new AbortController()
    const signal = this.background.signal
    const ctx: CallContext = { signal, progress: () => {} }
    const dir = project.dir
    const cacheDir = this.opts.cacheDir
    const previous = this.backgroundDone
    this.backgroundDone = (async () => {
      await previous
      for (const runId of runIds) {
        if (signal.aborted) return
        try {
          const run = await project.openRun(runId)
          const views: ('tau' | 'kappa')[] = run.attrs.pointShape[1] === undefined ? ['tau'] : ['tau', 'kappa']
          for (const view of views) {
            if (run.attrs.metrics.length > 0)
              await this.job('runs.metrics', ctx, 'metrics', { dir, runId, view, derived: true }, 'background')
            // The app's default view of the run: landmark above STREAM_ABOVE points (issue 23).
            const query = { runs: [runId], view, method: defaultMethod(run.attrs.nets * run.attrs.snapshots) }
            await this.job('paths.embed', ctx, 'embed', { dir, query, cacheDir }, 'background')
          }
        } catch (e) {
          if (signal.aborted) return
          this.log('warn', `precomputing the views of run ${runId}: ${(e as Error).message}`)
        }
      }
    })()
  }

  private stopPrecompute(): void {
    this.background?.abort()
    this.background = null
  }

  /** Complete runs of the open project (whose views are precomputed when it opens). */
  private completeRuns(s: ProjectSummary): string[] {
    return s.runs.filter((r) => r.status === 'complete').map((r) => r.id)
  }

  /** Datasets are read and deskewed in the job pool: seconds of work, not on the event loop. */
  private readonly loadData: TrainDataLoader = (spec, cacheDir) =>
    this.job('runs.start', { progress: () => {} }, 'trainData', { spec, ...(cacheDir ? { cacheDir } : {}) })

  private jobs(): JobPool {
    return (this.pool ??= new JobPool(this.opts.jobThreads))
  }

  /** The open project's folder and the run a request names, for a job. */
  private async onRun(runId: string): Promise<{ dir: string; runId: string; cacheDir?: string }> {
    return { dir: this.requireProject().dir, runId: await this.resolveRun(runId), cacheDir: this.opts.cacheDir }
  }

  private requireProject(): Project {
    if (!this.project) {
      throw new ApiError('conflict', 'no project is open (open or create one first)', { reason: 'no-project' })
    }
    return this.project
  }

  private async summary(): Promise<ProjectSummary> {
    const p = this.requireProject()
    const readAt = Date.now()
    const runs = []
    for (const id of await p.runIds()) {
      try {
        runs.push(await runSummary(await p.openRun(id)))
      } catch (e) {
        this.log('warn', `run ${id} cannot be read: ${(e as Error).message}`)
      }
    }
    return { dir: p.dir, name: p.name, runs, views: p.file.views as ProjectSummary['views'], readAt }
  }

  /** A path a request asks to write, checked against what this host may write. */
  private async writable(file: string, field: string): Promise<string> {
    if (this.opts.host !== 'browser') return path.resolve(file)
    return checkWritable(file, [this.requireProject().dir, this.opts.exportDir ?? defaultExportDir()], field)
  }

  /** The run a reference names, with what this process has recorded of it on disk: the
   * archive writes its flags and metrics in batches, and a reader (a reloaded page) must
   * not miss snapshots whose events were already sent. */
  private async resolveRun(ref: string): Promise<string> {
    const runId = await this.requireProject().resolveRunId(ref)
    await this.queue.find((t) => t.runId === runId)?.archive?.flush()
    return runId
  }

  /** `busy`: a run trains, so the project cannot change now. */
  private training(message: string): ApiError<'busy'> {
    return new ApiError('busy', message, { what: 'run', which: this.queue[0]?.runId ?? '' })
  }

  private async workers(): Promise<number> {
    return (await this.opts.settings.settings()).workers ?? defaultWorkerCount()
  }

  /** Queues a run for training; status and progress arrive as events. */
  private enqueue(runId: string): void {
    if (this.queue.some((t) => t.runId === runId)) return
    const project = this.requireProject()
    const abort = new AbortController()
    const t: Training = { runId, abort, done: Promise.resolve(), started: false }
    this.queue.push(t)
    const epochs = project
      .openRun(runId)
      .then((r) => r.readTimes())
      .then((x) => x.epochs)
    t.done = this.tail = this.tail.then(async () => {
      if (abort.signal.aborted) return // cancelled while waiting: reported then
      t.started = true
      this.emit('run.status', { runId, status: 'running' })
      try {
        const run = await project.openRun(runId)
        const names = run.attrs.metrics
        const ep = await epochs
        const status = await trainRun(project, runId, {
          workers: await this.workers(),
          signal: abort.signal,
          cacheDir: this.opts.cacheDir,
          loadData: this.loadData,
          onArchive: (a) => (t.archive = a),
          onLog: (m, level) => this.log(level ?? 'info', m),
          onProgress: (p) => this.emit('run.progress', p),
          onSnapshot: (net, snapshot, m) =>
            this.emit('run.snapshot', {
              runId,
              net,
              snapshot,
              epoch: ep[snapshot],
              metrics: Object.fromEntries(names.map((n, i) => [n, m[i]])),
            }),
        })
        this.emit('run.status', { runId, status, ...(await this.counts(runId)) })
        if (status === 'complete') this.precompute([runId])
      } catch (e) {
        const message = (e as Error).message
        this.log('error', `run ${runId} failed: ${message}`)
        this.emit('run.status', { runId, status: 'failed', error: message, ...(await this.counts(runId)) })
      } finally {
        // What the trainer wrote was reported by its own events: the watcher takes it as
        // seen before the run stops being ours, so it does not report it a second time.
        await this.watcher?.absorb(runId)
        this.queue = this.queue.filter((x) => x !== t)
      }
    })
  }

  /** What a run has recorded, sent with its status (nothing if it cannot be read). */
  private async counts(runId: string): Promise<{ done?: number; total?: number }> {
    try {
      const { done, total } = await (await this.requireProject().openRun(runId)).progress()
      return { done, total }
    } catch {
      return {}
    }
  }

  /** Stops all training (finished snapshots are kept) and waits for it to end. */
  async shutdown(): Promise<void> {
    this.watcher?.stop()
    this.watcher = null
    for (const a of this.imports) a.abort()
    for (const t of this.queue) t.abort.abort()
    await this.tail
  }

  /** Shuts down for good (the host is quitting): requests from now on end `cancelled`. */
  async close(): Promise<void> {
    this.closed = true
    this.stopPrecompute()
    await this.shutdown()
    await this.pool?.close()
    this.pool = null
    await this.backgroundDone
  }

  /** Follows the open project's folder: runs recorded or trained by other processes
   * arrive as the same events as this process's own. */
  private async watchProject(project: Project | null): Promise<void> {
    this.watcher?.stop()
    this.watcher = null
    if (!project || this.opts.watch === false) return
    const w = new ProjectWatcher(
      project,
      {
        status: liveStatus,
        skip: (id) => this.queue.some((t) => t.runId === id && t.started),
        onRunsChanged: () => {
          if (this.project === project)
            void this.summary().then(
              (s) => this.emit('project.changed', s),
              () => {},
            )
        },
        onStatus: (e) => {
          this.emit('run.status', e)
          if (e.status === 'complete' && this.project === project) this.precompute([e.runId])
        },
        onSnapshot: (e) => this.emit('run.snapshot', e),
        onProgress: (runId, done, total, run) =>
          this.emit('run.progress', {
            runId,
            samplesDone: done,
            samplesTotal: total,
            snapshotsDone: done,
            snapshotsTotal: total,
            samplesPerSec: 0,
            etaSeconds: null,
            elapsedSeconds: (Date.now() - Date.parse(run.attrs.created)) / 1000,
          }),
        onError: (message) => this.log('warn', message),
      },
      this.opts.watch ?? {},
    )
    this.watcher = w
    await w.start()
  }

  private readonly handlers: Handlers = {
    'app.info': async () => ({
      version: SGDSCOPE_VERSION,
      host: this.opts.host,
      workers: defaultWorkerCount(),
      settings: await this.opts.settings.settings(),
    }),
    'settings.set': async (patch) => this.opts.settings.update(patch),
    'presets.list': async () => Object.values(PRESETS),
    'spec.check': async ({ spec }) => {
      const r = checkSpec(spec)
      return r.ok ? r : { ok: false as const, problems: r.issues }
    },
    'spec.preflight': async ({ spec }, ctx) => {
      const r = await preflightSpec(
        spec,
        await this.workers(),
        () =>
          (this.speed ??= this.job('spec.preflight', ctx, 'engineSpeed', {}).catch((e: unknown) => {
            this.speed = null // a cancelled measurement is measured again next time
            throw e
          })),
      )
      return { problems: r.problems, estimate: r.estimate }
    },
    'project.recent': async () => this.opts.settings.recent(),
    'project.open': async ({ dir, create, onlyNew }) => {
      const abs = path.resolve(dir)
      if (this.queue.length > 0) throw this.training('a run is training; cancel it before switching projects')
      const project = create
        ? await (onlyNew ? Project.create(abs) : Project.openOrCreate(abs))
        : await Project.open(abs)
      this.stopPrecompute()
      this.project = project
      await this.watchProject(this.project)
      await this.opts.settings.addRecent(abs)
      const s = await this.summary()
      this.emit('project.changed', s)
      // In the hosts, the first heavy request should not wait for threads to start.
      if (this.opts.warmJobs ?? this.opts.precompute) this.jobs().warm()
      this.precompute(this.completeRuns(s))
      return s
    },
    'project.current': async () => (this.project ? this.summary() : null),
    'project.close': async () => {
      if (this.queue.length > 0) throw this.training('a run is training; cancel it before closing the project')
      this.stopPrecompute()
      this.project = null
      await this.watchProject(null)
      this.emit('project.changed', null)
      return null
    },
    'runs.list': async () => (await this.summary()).runs,
    'runs.get': async ({ runId }) => runDetails(await this.requireProject().openRun(await this.resolveRun(runId))),
    'runs.start': async ({ spec, preset }) => {
      const project = this.requireProject()
      let specs: unknown[]
      if (preset !== undefined) {
        if (!isPresetId(preset))
          throw new ApiError('not-found', `unknown preset "${preset}"`, { what: 'preset', which: preset })
        const runs = PRESETS[preset].runs
        specs = runs.map((r) => {
          const s: Record<string, unknown> = { ...r.spec, ...(spec && typeof spec === 'object' ? spec : {}) }
          const name = scaledPresetName(preset, r.spec as Record<string, unknown>, s, runs.length === 1)
          return name ? { ...s, name } : s
        })
      } else if (spec !== undefined) specs = [spec]
      else throw badInput('', 'runs.start needs a spec or a preset', { kind: 'required' })
      for (const s of specs) {
        const r = checkSpec(s)
        if (!r.ok) {
          const issues = r.issues.map((i) => ({ ...i, path: i.path ? `spec.${i.path}` : 'spec' }))
          throw new ApiError('bad-input', `invalid spec: ${describeIssues(issues)}`, { issues })
        }
      }
      const ids: string[] = []
      const opts = { cacheDir: this.opts.cacheDir, loadData: this.loadData }
      for (const s of specs) ids.push((await createRun(project, s, opts)).id)
      this.emit('project.changed', await this.summary())
      for (const id of ids) this.enqueue(id)
      return { runIds: ids }
    },
    'runs.cancel': async ({ runId }) => {
      const id = await this.resolveRun(runId)
      const t = this.queue.find((x) => x.runId === id)
      if (!t) throw new ApiError('conflict', `run ${id} is not training`, { reason: 'not-training', run: id })
      t.abort.abort()
      if (t.started) await t.done
      else {
        // Still waiting for the runs ahead of it: drop it from the queue now.
        this.queue = this.queue.filter((x) => x !== t)
        const { status, done, total } = await runSummary(await this.requireProject().openRun(id))
        this.emit('run.status', { runId: id, status, done, total })
      }
      return null
    },
    'runs.rename': async ({ runId, name, label, color }) => {
      const run = await this.requireProject().openRun(await this.resolveRun(runId))
      await setRunDisplay(run, { name, label, color })
      this.emit('project.changed', await this.summary())
      return runSummary(run)
    },
    'runs.spawn': async ({ runId, dryRun, ...req }, ctx) => {
      const project = this.requireProject()
      const parent = await project.openRun(await this.resolveRun(runId))
      const request = { ...req, parent: parent.id }
      const plan = await planSpawn(parent, request)
      const r = await preflightSpec(
        plan.spec,
        await this.workers(),
        () =>
          (this.speed ??= this.job('runs.spawn', ctx, 'engineSpeed', {}).catch((e: unknown) => {
            this.speed = null
            throw e
          })),
      )
      // The estimate is for training every child from scratch; charge only what is trained.
      const full = plan.spec.nets * Math.round(plan.spec.epochs * parent.attrs.dataset!.trainCount)
      const estimate = r.estimate && {
        ...r.estimate,
        seconds: (r.estimate.seconds * plan.samplesToTrain) / Math.max(1, full),
      }
      const s = plan.spec.spawn!
      const summary = {
        children: plan.spec.nets,
        at: s.at,
        states: s.states ?? [],
        samplesToTrain: plan.samplesToTrain,
        estimate,
        name: plan.spec.name ?? '',
      }
      if (dryRun) return { plan: summary, runId: null }
      const run = await createSpawnRun(project, request, { cacheDir: this.opts.cacheDir, loadData: this.loadData })
      this.emit('project.changed', await this.summary())
      this.enqueue(run.id)
      return { plan: summary, runId: run.id }
    },
    'runs.resume': async ({ runId }) => {
      const id = await this.resolveRun(runId)
      const spec = (await this.requireProject().openRun(id)).attrs.spec
      if (spec.kind === 'external') {
        const message = `run ${id} was recorded outside sgdscope (${spec.source}); there is nothing to resume`
        throw new ApiError('conflict', message, { reason: 'not-applicable', run: id })
      }
      const status: RunStatus = (await runSummary(await this.requireProject().openRun(id))).status
      if (status === 'complete') {
        throw new ApiError('conflict', `run ${id} is already complete`, { reason: 'complete', run: id })
      }
      if (status === 'running' || this.queue.some((t) => t.runId === id)) {
        throw new ApiError('busy', `run ${id} is already training`, { what: 'run', which: id })
      }
      this.enqueue(id)
      return null
    },
    'runs.metrics': async ({ runId, view, derived }, ctx) =>
      this.job('runs.metrics', ctx, 'metrics', { ...(await this.onRun(runId)), view, derived }),
    'paths.embed': async (q, ctx) => {
      const dir = this.requireProject().dir
      const runs = []
      for (const r of q.runs) runs.push(await this.resolveRun(r))
      const into = q.into && { ...q.into, runs: await Promise.all(q.into.runs.map((r) => this.resolveRun(r))) }
      const query = { ...q, runs, ...(into ? { into } : {}) }
      return this.job('paths.embed', ctx, 'embed', { dir, query, cacheDir: this.opts.cacheDir })
    },
    'paths.neighbours': async ({ query: q, point, k }, ctx) => {
      const dir = this.requireProject().dir
      const runs = []
      for (const r of q.runs) runs.push(await this.resolveRun(r))
      const { into: _into, ...query } = { ...q, runs }
      return this.job('paths.neighbours', ctx, 'neighbours', { dir, query, point, k })
    },
    'views.save': async (view) => {
      const p = this.requireProject()
      p.file.views = [...p.file.views.filter((v) => v.name !== view.name), view]
      await p.save()
      return p.file.views as ProjectSummary['views']
    },
    'views.delete': async ({ name }) => {
      const p = this.requireProject()
      if (!p.file.views.some((v) => v.name === name)) {
        throw new ApiError('not-found', `no saved view "${name}"`, { what: 'view', which: name })
      }
      p.file.views = p.file.views.filter((v) => v.name !== name)
      await p.save()
      return p.file.views as ProjectSummary['views']
    },
    'figures.render': async ({ view, format }, ctx) => {
      const fig = await this.job('figures.render', ctx, 'renderView', { dir: this.requireProject().dir, view, format })
      return { format, data: figureText(fig.content), widthIn: fig.widthIn, heightIn: fig.heightIn }
    },
    'figures.export': async ({ view, format, path: file }, ctx) => {
      const target = await this.writable(file, 'path')
      const fig = await this.job('figures.export', ctx, 'renderView', { dir: this.requireProject().dir, view, format })
      const bytes = figureBytes(fig.content)
      await writeFileAtomic(target, bytes)
      return { path: target, bytes: bytes.length }
    },
    'figures.renderAnimation': async ({ view, format, fps }, ctx) => {
      const dir = this.requireProject().dir
      const a = await this.job('figures.renderAnimation', ctx, 'renderAnimation', { dir, view, format, fps })
      const { content, frames: _frames, frameCount, ...rest } = a
      return { format, data: Buffer.from(content!).toString('base64'), frames: frameCount, ...rest }
    },
    'figures.exportAnimation': async ({ view, format, fps, path: file }, ctx) => {
      const target = await this.writable(file, 'path')
      const dir = this.requireProject().dir
      const a = await this.job('figures.exportAnimation', ctx, 'renderAnimation', { dir, view, format, fps })
      if (a.frames) {
        // The frames beside each other: target-0001.png, target-0002.png, …
        const files = sequenceNames(target, a.frames.length)
        let bytes = 0
        for (const [k, png] of a.frames.entries()) {
          await writeFileAtomic(files[k]!, png)
          bytes += png.length
        }
        return { path: files[0]!, bytes, frames: a.frameCount, files }
      }
      await writeFileAtomic(target, a.content!)
      return { path: target, bytes: a.content!.length, frames: a.frameCount, files: [target] }
    },
    'runs.import': async ({ path: file, ...opts }) => {
      const project = this.requireProject()
      const abort = new AbortController()
      this.imports.add(abort)
      let last = { stage: '', at: 0 }
      try {
        const { dir: _dir, ...summary } = await importRun(project.dir, path.resolve(file), {
          ...opts,
          signal: abort.signal,
          // At most ten events a second, and every change of stage.
          onProgress: (p) => {
            const now = Date.now()
            if (p.stage === last.stage && now - last.at < 100 && p.done < p.total) return
            last = { stage: p.stage, at: now }
            this.emit('import.progress', { path: file, ...p })
          },
        })
        this.log(
          'info',
          `imported ${file} as run ${summary.runId} (${summary.format}, outputs ${summary.outputs}: ${summary.outputsReason})`,
        )
        this.emit('project.changed', await this.summary())
        return summary
      } finally {
        this.imports.delete(abort)
      }
    },
    'runs.cancelImport': async () => {
      for (const a of this.imports) a.abort()
      return null
    },
    'dialog.openFile': async ({ purpose }) => {
      if (!this.opts.dialogs?.openFile) {
        const message = "this host has no native dialogs (give the file's path instead)"
        throw new ApiError('conflict', message, { reason: 'unsupported' })
      }
      return { path: await this.opts.dialogs.openFile(purpose) }
    },
    'dialog.saveFile': async ({ defaultName, format }) => {
      if (!this.opts.dialogs) {
        const message = 'this host has no native dialogs (the browser host saves files by download)'
        throw new ApiError('conflict', message, { reason: 'unsupported' })
      }
      return { path: await this.opts.dialogs.saveFile(defaultName, format) }
    },
    'figures.exportAll': async ({ dir, format }, ctx) => {
      const p = this.requireProject()
      dir = await this.writable(dir, 'dir')
      await fs.mkdir(dir, { recursive: true })
      const written: string[] = []
      const views = p.file.views as ProjectSummary['views']
      // Names from run labels, kind, τ/κ and the view's name; two views that would share a
      // name get a counter (a folder exported again is overwritten, view by view).
      const names = new Set<string>()
      for (const [i, v] of views.entries()) {
        ctx.progress({ stage: 'figures', done: i, total: views.length })
        const name = await viewFileName(p, v, format, (f) => names.has(f.toLowerCase()))
        names.add(name.toLowerCase())
        const file = path.join(path.resolve(dir), name)
        const fig = await this.job('figures.exportAll', ctx, 'renderView', { dir: p.dir, view: v, format })
        await writeFileAtomic(file, figureBytes(fig.content))
        written.push(file)
      }
      return { written }
    },
    'beyond.subproblems': async ({ runId, ...options }, ctx) =>
      this.job('beyond.subproblems', ctx, 'subproblems', { ...(await this.onRun(runId)), options }),
    'beyond.barrier': async ({ runId, ...options }, ctx) =>
      this.job('beyond.barrier', ctx, 'barrier', { ...(await this.onRun(runId)), options }),
    'beyond.barrierSummary': async ({ runId, ...options }, ctx) =>
      this.job('beyond.barrierSummary', ctx, 'barrierSummary', { ...(await this.onRun(runId)), options }),
    'beyond.stability': async ({ runId, ...options }, ctx) =>
      this.job('beyond.stability', ctx, 'stability', { ...(await this.onRun(runId)), options }),
    'beyond.mphate': async ({ runId, ...options }, ctx) =>
      this.job('beyond.mphate', ctx, 'mphate', { ...(await this.onRun(runId)), options }),
    'beyond.weightVsFunction': async ({ runId, ...options }, ctx) =>
      this.job('beyond.weightVsFunction', ctx, 'weightVsFunction', { ...(await this.onRun(runId)), options }),
    'beyond.pathDistances': async ({ runs, ...options }, ctx) => {
      const dir = this.requireProject().dir
      const runIds = []
      for (const r of runs) runIds.push(await this.resolveRun(r))
      return this.job('beyond.pathDistances', ctx, 'pathDistances', { dir, runIds, options })
    },
    'beyond.figure': async ({ runId, figure, look, format }, ctx) => {
      const on = await this.onRun(runId)
      const fig = await this.job('beyond.figure', ctx, 'beyondFigure', { ...on, figure, look, format })
      return { format, data: figureText(fig.content), widthIn: fig.widthIn, heightIn: fig.heightIn }
    },
  }
}

/** A figure from a job as the API sends it: SVG as text, PNG and PDF as base64. */
function figureText(content: string | Uint8Array): string {
  return typeof content === 'string' ? content : Buffer.from(content).toString('base64')
}

function figureBytes(content: string | Uint8Array): Uint8Array {
  return typeof content === 'string' ? Buffer.from(content) : content
}
