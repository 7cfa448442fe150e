/**
 * The service follows the open project's folder: a run recorded by another process
 * appears, and its snapshots and status arrive as events (waited for, never slept on).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { EventName, Events } from '../../../src/shared/api/contract'
import { Service } from '../../../src/main/service'
import { FileSettingsStore } from '../../../src/main/settings'
import { tempDir } from '../../helpers/tmp'
import { ROOT } from '../../helpers/cli-process'

const CHILD = path.join(ROOT, 'tests/main/archive/external-writer-child.ts')
const children: ChildProcess[] = []
afterAll(() => children.forEach((c) => c.kill('SIGKILL')))

/** Resolves with the first event of that name that matches. */
function next<E extends EventName>(service: Service, name: E, match: (p: Events[E]) => boolean): Promise<Events[E]> {
  return new Promise((resolve) => {
    const off = service.on((event, payload) => {
      if ((event as EventName) === name && match(payload as Events[E])) {
        off()
        resolve(payload as Events[E])
      }
    })
  })
}

async function followRecording(useFsWatch: boolean) {
  const root = tempDir()
  const dir = `${root}/live.sgdscope`
  const service = new Service({
    host: 'browser',
    settings: new FileSettingsStore(`${root}/config`),
    watch: { pollMs: 150, debounceMs: 20, useFsWatch },
  })
  await service.request('project.open', { dir, create: true })
  const appeared = next(service, 'project.changed', (p) => !!p?.runs.some((r) => r.id === 'rec'))
  // Net 0 adds every epoch to the axis; net 1, in the same process right after, only
  // writes its data and done mark (the case the group's metadata does not show).
  const wanted = [0, 1].flatMap((net) =>
    [0, 1, 2].map((snapshot) =>
      next(service, 'run.snapshot', (e) => e.runId === 'rec' && e.net === net && e.snapshot === snapshot),
    ),
  )
  const progress = next(service, 'run.progress', (e) => e.runId === 'rec' && e.snapshotsDone >= 4)
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, 'rec', '-1', '0', '1'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.push(child)
  const summary = await appeared
  expect(summary!.runs.find((r) => r.id === 'rec')!.external).toEqual({ source: 'python', meta: {} })
  const events = await Promise.all(wanted)
  for (const e of events) {
    expect(e.epoch).toBe(e.snapshot)
    expect(e.metrics.train_loss).toBeCloseTo(e.net + e.snapshot / 100, 5)
  }
  expect((await progress).snapshotsTotal).toBeGreaterThanOrEqual(4)
  // The recording process dies: its lock is stale, the run is interrupted.
  const interrupted = next(service, 'run.status', (e) => e.runId === 'rec' && e.status === 'interrupted')
  child.kill('SIGKILL')
  const ended = await interrupted
  const runs = await service.request('runs.list', {})
  const rec = runs.find((r) => r.id === 'rec')!
  expect(rec.status).toBe('interrupted')
  // The status event carries the counts as they are once the writer is gone.
  expect([ended.done, ended.total]).toEqual([rec.done, rec.total])
  expect(ended.done).toBeGreaterThanOrEqual(6)
  await service.shutdown()
}

describe('watching the open project', () => {
  it('a run recorded by another process appears and its snapshots arrive as events (fs.watch)', () =>
    followRecording(true))
  it('the same by polling alone, where fs.watch is unavailable', () => followRecording(false))
})
