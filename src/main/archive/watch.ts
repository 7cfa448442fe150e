/**
 * Watches an open project's folder so that runs written by other processes (the Python
 * recorder, an import, `sgdscope run` in a terminal) show up live: new runs, status
 * changes and every newly recorded (network, snapshot).
 *
 * fs.watch on `runs/` and on each run's folder says *when* to look (debounced); a poll
 * says it too where fs.watch is missing or misses something (a network's `done` mark is
 * written below the watched folders). A look compares each run with what was seen
 * before, reading only what can have changed: the `done` chunks of snapshots not yet
 * done, in the networks whose `done/c/NET` folder changed.
 */
import { watch, type FSWatcher } from 'node:fs'
import { fs } from './file-pool'
import * as path from 'node:path'
import type { RunSnapshotEvent, RunStatus, RunStatusEvent } from '../../shared/api/contract'
import type { Project } from './project'
import type { RunArchive } from './run'

export interface WatchOptions {
  /** How often to look without a file-system event (ms). */
  pollMs?: number
  /** How long to wait after an event for the writes that follow it (ms). */
  debounceMs?: number
  /** false: poll only (as where fs.watch is unavailable). */
  useFsWatch?: boolean
}

export interface WatchCallbacks {
  /** The status a reader should believe (the runner's liveStatus). */
  status: (run: RunArchive) => Promise<RunStatus>
  /** Runs appeared or disappeared. */
  onRunsChanged: () => void
  onStatus: (e: RunStatusEvent) => void
  onSnapshot: (e: RunSnapshotEvent) => void
  onProgress: (runId: string, done: number, total: number, run: RunArchive) => void
  /** Runs this process writes itself (its events come from the writer). */
  skip?: (runId: string) => boolean
  onError?: (message: string) => void
}

interface Seen {
  status: RunStatus
  nets: number
  snapshots: number
  /** done[k * snapshots + j] */
  done: Uint8Array
  /** mtime of done/c/NET when all of it was read, or -1 to read it again. */
  netStamp: number[]
  groupStamp: number
}

/** A folder's mtime this recent may still change within the same clock tick: look again. */
const SETTLED_MS = 1500

async function mtime(file: string): Promise<number> {
  try {
    return (await fs.stat(file)).mtimeMs
  } catch {
    return -1
  }
}

function count(done: Uint8Array): number {
  let n = 0
  for (const x of done) n += x
  return n
}

export class ProjectWatcher {
  private seen = new Map<string, Seen>()
  private watchers = new Map<string, FSWatcher>()
  private dirty = new Set<string>()
  private timer: ReturnType<typeof setTimeout> | null = null
  private poller: ReturnType<typeof setInterval> | null = null
  private scanning: Promise<void> | null = null
  private again = false
  private stopped = false
  private readonly pollMs: number
  private readonly debounceMs: number

  constructor(
    private readonly project: Project,
    private readonly cb: WatchCallbacks,
    private readonly opts: WatchOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 1000
    this.debounceMs = opts.debounceMs ?? 100
  }

  private get runsDir(): string {
    return path.join(this.project.dir, 'runs')
  }

  /** Takes the current state as the baseline (no events), then watches. */
  async start(): Promise<void> {
    await this.scan(true)
    this.watchDir('', this.runsDir)
    this.poller = setInterval(() => this.schedule(), this.pollMs)
    this.poller.unref?.()
  }

  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    if (this.poller) clearInterval(this.poller)
    for (const w of this.watchers.values()) w.close()
    this.watchers.clear()
  }

  private watchDir(runId: string, dir: string): void {
    if (this.opts.useFsWatch === false || this.watchers.has(runId) || this.stopped) return
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        const id = runId || (name ? String(name) : '')
        if (id && !id.startsWith('.')) this.dirty.add(id)
        this.schedule()
      })
      w.on('error', () => {
        w.close()
        this.watchers.delete(runId) // the poll carries on
      })
      this.watchers.set(runId, w)
    } catch {
      /* no fs.watch here (or the folder is gone): the poll sees changes */
    }
  }

  private schedule(delay = this.debounceMs): void {
    if (this.stopped) return
    if (this.scanning) {
      this.again = true
      return
    }
    if (this.timer) {
      if (delay > 0) return
      clearTimeout(this.timer)
    }
    this.timer = setTimeout(() => {
      this.timer = null
      // absorb() may have begun since this look was scheduled: one reader at a time.
      if (this.scanning) {
        this.again = true
        return
      }
      this.scanning = this.scan(false)
        .catch((e) => this.cb.onError?.(`watching ${this.project.dir}: ${(e as Error).message}`))
        .finally(() => {
          this.scanning = null
          if (this.again) {
            this.again = false
            this.schedule()
          }
        })
    }, delay)
  }

  private async scan(baseline: boolean): Promise<void> {
    const ids = (await this.project.runIds()).filter((id) => !id.startsWith('.'))
    let listChanged = false
    for (const id of ids) {
      if (this.stopped) return
      const before = this.seen.get(id)
      const dir = path.join(this.runsDir, id)
      const groupStamp = await mtime(path.join(dir, 'zarr.json'))
      if (groupStamp < 0) continue // being created: not a run yet
      const dirty = this.dirty.delete(id)
      const live = before && (before.status === 'running' || before.status === 'created')
      if (before && !dirty && !live && before.groupStamp === groupStamp) continue
      let run: RunArchive
      try {
        run = await this.project.openRun(id)
      } catch {
        continue // half-written metadata: the next look sees the rest
      }
      if (!before && !baseline && !listChanged) {
        // A new run: the list first, then what it has recorded so far, as events.
        listChanged = true
        this.cb.onRunsChanged()
      }
      await this.compare(run, before, groupStamp, baseline)
      this.watchDir(id, dir)
    }
    let removed = false
    for (const id of [...this.seen.keys()])
      if (!ids.includes(id)) {
        this.seen.delete(id)
        this.watchers.get(id)?.close()
        this.watchers.delete(id)
        removed = true
      }
    if (removed && !baseline) this.cb.onRunsChanged()
  }

  /** Takes a run's current state as seen, without events (its writer in this process
   * reported it itself). */
  async absorb(runId: string): Promise<void> {
    // A look under way may have read the run before its writer finished: let it end
    // first, so what it saw cannot overwrite what is taken here.
    while (this.scanning) await this.scanning
    if (this.stopped) return
    // Counts as a look: no other look starts (and reads the run's old state) until it ends.
    const work = this.absorbNow(runId)
    this.scanning = work
    try {
      await work
    } finally {
      if (this.scanning === work) this.scanning = null
      if (this.again) {
        this.again = false
        this.schedule()
      }
    }
  }

  private async absorbNow(runId: string): Promise<void> {
    const groupStamp = await mtime(path.join(this.runsDir, runId, 'zarr.json'))
    if (groupStamp < 0) return
    try {
      await this.compare(await this.project.openRun(runId), this.seen.get(runId), groupStamp, true)
    } catch {
      // unreadable just now: the next look sees it
    }
  }

  /** Updates what was seen of a run and reports the differences, unless `quiet` or the
   * run is this process's own when the reading is done (a look can take long on a busy
   * machine: a run may start and even finish while it reads). */
  private async compare(run: RunArchive, before: Seen | undefined, groupStamp: number, quiet: boolean): Promise<void> {
    const { nets: N, snapshots: S } = run.attrs
    const status = await this.cb.status(run)
    const sameAxis = before && before.nets === N && before.snapshots === S
    const done = new Uint8Array(N * S)
    const netStamp = new Array<number>(N).fill(-1)
    if (before && before.nets === N)
      for (let k = 0; k < N; k++)
        for (let j = 0; j < Math.min(S, before.snapshots); j++) done[k * S + j] = before.done[k * before.snapshots + j]
    const now = Date.now()
    const fresh: { net: number; snapshot: number }[] = []
    // Format 3: the flags are one file, read whole.
    const all = run.consolidated ? await run.readDone() : null
    if (all)
      for (let i = 0; i < N * S; i++)
        if (all[i] && !done[i]) {
          done[i] = 1
          fresh.push({ net: Math.floor(i / S), snapshot: i % S })
        }
    for (let k = 0; all === null && k < N; k++) {
      const stamp = await mtime(path.join(run.dir, 'done', 'c', String(k)))
      if (stamp < 0) continue // nothing recorded for this network yet
      if (sameAxis && before!.netStamp[k] >= 0 && before!.netStamp[k] === stamp) {
        netStamp[k] = stamp
        continue
      }
      for (let j = 0; j < S; j++) {
        if (done[k * S + j]) continue
        if ((await mtime(path.join(run.dir, 'done', 'c', String(k), String(j)))) >= 0) {
          done[k * S + j] = 1
          fresh.push({ net: k, snapshot: j })
        }
      }
      netStamp[k] = stamp >= 0 && now - stamp > SETTLED_MS ? stamp : -1
    }
    this.seen.set(run.id, { status, nets: N, snapshots: S, done, netStamp, groupStamp })
    if (quiet || (this.cb.skip?.(run.id) ?? false)) return
    if (fresh.length) {
      const { epochs } = await run.readTimes()
      const names = run.attrs.metrics
      for (const { net, snapshot } of fresh) {
        const m = await run.readMetricsAt(net, snapshot)
        this.cb.onSnapshot({
          runId: run.id,
          net,
          snapshot,
          epoch: epochs[snapshot],
          metrics: Object.fromEntries(names.map((n, i) => [n, m[i]])),
        })
      }
      this.cb.onProgress(run.id, count(done), N * S, run)
    }
    if (before && before.status !== status) {
      const error = status === 'failed' ? run.attrs.error : undefined
      this.cb.onStatus({ runId: run.id, status, ...(error ? { error } : {}), done: count(done), total: N * S })
    }
  }
}
