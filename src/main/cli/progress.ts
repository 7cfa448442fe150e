/** Training progress on a terminal: a bar with samples/s and ETA on a TTY, plain
 * lines (at most one every few seconds) when the output is a file or a pipe. Progress
 * is snapshots recorded of the whole run (src/shared/progress.ts), as the app shows it. */
import cliProgress from 'cli-progress'
import { progressPercent } from '../../shared/progress'
import type { RunProgress } from '../experiments/runner'

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--'
  const s = Math.round(seconds)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`
}

export function formatRate(perSec: number): string {
  return perSec >= 1e6
    ? `${(perSec / 1e6).toFixed(2)}M`
    : perSec >= 1e3
      ? `${(perSec / 1e3).toFixed(1)}k`
      : perSec.toFixed(0)
}

export function progressReporter(stream: NodeJS.WriteStream = process.stderr) {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: '{run} [{bar}] {pct} | {value}/{total} snapshots | {rate} samples/s | ETA {eta_h}',
        barsize: 30,
        hideCursor: true,
        stream,
      },
      cliProgress.Presets.shades_classic,
    )
    let started = false
    return {
      update(p: RunProgress) {
        const payload = {
          run: p.runId.slice(-24),
          pct: progressPercent({ done: p.snapshotsDone, total: p.snapshotsTotal }),
          rate: formatRate(p.samplesPerSec),
          eta_h: formatDuration(p.etaSeconds),
        }
        if (!started) {
          bar.start(p.snapshotsTotal, p.snapshotsDone, payload)
          started = true
        } else bar.update(p.snapshotsDone, payload)
      },
      stop() {
        if (started) bar.stop()
        started = false
      },
    }
  }
  let last = 0
  return {
    update(p: RunProgress) {
      const now = Date.now()
      if (now - last < 5000 && p.samplesDone < p.samplesTotal) return
      last = now
      const pct = progressPercent({ done: p.snapshotsDone, total: p.snapshotsTotal })
      stream.write(
        `${p.runId}: ${pct} (${p.snapshotsDone}/${p.snapshotsTotal} snapshots) ${formatRate(p.samplesPerSec)} samples/s ETA ${formatDuration(p.etaSeconds)}\n`,
      )
    },
    stop() {},
  }
}

/** Progress of work counted in items (e.g. checkpoints): a bar on a TTY, else a line
 * every few seconds and one at the end of each stage. */
export function countReporter(unit: string, stream: NodeJS.WriteStream = process.stderr) {
  type Step = { stage: string; done: number; total: number; etaSeconds: number | null }
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: '{stage} [{bar}] {percentage}% | {value}/{total} {unit} | ETA {eta_h}',
        barsize: 30,
        hideCursor: true,
        stream,
      },
      cliProgress.Presets.shades_classic,
    )
    let stage: string | null = null
    return {
      update(p: Step) {
        const payload = { stage: p.stage, unit, eta_h: formatDuration(p.etaSeconds) }
        if (stage !== p.stage) {
          if (stage !== null) bar.stop()
          bar.start(p.total, p.done, payload)
          stage = p.stage
        } else bar.update(p.done, payload)
      },
      stop() {
        if (stage !== null) bar.stop()
        stage = null
      },
    }
  }
  let last = 0
  return {
    update(p: Step) {
      const now = Date.now()
      if (now - last < 5000 && p.done < p.total) return
      last = now
      stream.write(`${p.stage}: ${p.done}/${p.total} ${unit}, ETA ${formatDuration(p.etaSeconds)}\n`)
    },
    stop() {},
  }
}
