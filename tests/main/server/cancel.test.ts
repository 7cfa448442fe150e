/**
 * A heavy request through the browser host reports progress to its caller and stops in
 * the host when the caller aborts it or goes away. With one job thread, a second embedding
 * of the same query waits for the first: it finds the first one's cache only if the first
 * ran to the end, so `cached: false` shows that the first was stopped.
 */
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { Project } from '../../../src/main/archive/project'
import { startServer, type RunningServer } from '../../../src/main/server'
import { Service } from '../../../src/main/service'
import { FileSettingsStore } from '../../../src/main/settings'
import { webSocketClient } from '../../../src/renderer/src/api/client'
import type { JobProgressEvent } from '../../../src/shared/api/contract'
import { ApiError } from '../../../src/shared/api/errors'
import { writeTestExternalRun } from '../../helpers/external'
import { tempDir } from '../../helpers/tmp'
;(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket

const root = tempDir('sgdscope-cancel-')
let service: Service
let server: RunningServer
const clients: ReturnType<typeof webSocketClient>[] = []
const connect = async () => {
  const c = webSocketClient(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`)
  clients.push(c)
  await c.ready
  return c
}

beforeAll(async () => {
  const dir = path.join(root, 'p.sgdscope')
  await Project.openOrCreate(dir)
  // 1,500 points: SMACOF takes seconds, long after its first progress event.
  await writeTestExternalRun(dir, { id: 'r', nets: 10, snapshots: 150, probe: 20 })
  service = new Service({ host: 'browser', settings: new FileSettingsStore(`${root}/config`), jobThreads: 1 })
  server = await startServer({ service, staticDir: root })
  await (await connect()).call('project.open', { dir })
})
afterAll(async () => {
  for (const c of clients) c.close()
  await service.close()
  await server.close()
})

const query = (method: 'smacof') => ({ runs: ['r'], view: 'tau' as const, method })

/** Resolves at the first progress event of call `key` in the embedding stage. */
function embedding(c: ReturnType<typeof webSocketClient>, key: string): Promise<JobProgressEvent[]> {
  const seen: JobProgressEvent[] = []
  return new Promise((resolve) => {
    const off = c.on('job.progress', (p) => {
      if (p.key !== key) return
      seen.push(p)
      if (p.stage === 'embedding') {
        off()
        resolve(seen)
      }
    })
  })
}

describe('cancelling through the browser host', () => {
  it('reports progress to the caller, and an aborted request stops in the host', async () => {
    const c = await connect()
    const abort = new AbortController()
    const started = embedding(c, 'first')
    const first = c.call('paths.embed', query('smacof'), { signal: abort.signal, key: 'first' }).catch((e) => e)
    const progress = await started
    expect(progress[0]).toMatchObject({ key: 'first', request: 'paths.embed' })
    expect(progress.some((p) => p.stage === 'distances' && p.total > 0)).toBe(true)
    abort.abort()
    const e = (await first) as ApiError
    expect(e).toBeInstanceOf(ApiError)
    expect(e.code).toBe('cancelled')
    const again = await c.call('paths.embed', query('smacof'))
    expect(again.cached).toBe(false)
  })

  it('a page that goes away (its socket closes) stops its requests', async () => {
    const c = await connect()
    const q = { ...query('smacof'), nets: [0, 1, 2, 3, 4, 5, 6, 7, 8] }
    const started = embedding(c, 'gone')
    const lost = c.call('paths.embed', q, { key: 'gone' }).catch((e) => e)
    await started
    c.close()
    expect(((await lost) as ApiError).code).toBe('unavailable')
    const other = await connect()
    expect((await other.call('paths.embed', q)).cached).toBe(false)
  })
})
