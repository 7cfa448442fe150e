/**
 * Every error code reaches the renderer through the browser host with its details: the
 * renderer's own WebSocket client (src/renderer/src/api/client.ts) against the server and
 * a real Service, so nothing on the way turns an error into text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { Service } from '../../../src/main/service'
import { FileSettingsStore } from '../../../src/main/settings'
import { startServer, type RunningServer } from '../../../src/main/server'
import { webSocketClient } from '../../../src/renderer/src/api/client'
import { ApiError } from '../../../src/shared/api/errors'
import { tempDir } from '../../helpers/tmp'
import {
  ALL_CODES,
  THROWN,
  casesWithProject,
  errorFixtures,
  recordedRuns,
  thrownByNewCode,
  expectApiError,
  realCases,
  scriptedService,
} from '../../helpers/api-error-cases'

// The renderer's client uses the browser's WebSocket; in Node, ws provides the same API.
;(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket

const root = tempDir('sgdscope-errors-')
const f = errorFixtures(root)
/** Everything below the service throws, by runs.get key: the table and what the new code really throws. */
const thrown = { ...THROWN, ...(await thrownByNewCode(f)) }
let service: Service
let server: RunningServer
let client: ReturnType<typeof webSocketClient>
const seen = new Set<string>()

beforeAll(async () => {
  service = new Service({ host: 'browser', settings: new FileSettingsStore(`${root}/config`) })
  server = await startServer({ service: scriptedService(service, thrown), staticDir: root })
  client = webSocketClient(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`)
  await client.ready
})
afterAll(async () => {
  client.close()
  await service.shutdown()
  await server.close()
})

const call = (name: string, args: unknown) => (client.call as (n: string, a: unknown) => Promise<unknown>)(name, args)

describe('errors through the browser host', () => {
  it.each(realCases(f).map((c) => [c.what, c] as const))('%s', async (_what, c) => {
    await expectApiError(call(c.name, c.args), c.code, c.details, seen)
  })

  it('with a project open: not found, bad input (paths inside the spec), io, refusals on recorded runs', async () => {
    await recordedRuns(f)
    await call('project.open', { dir: f.project, create: true })
    for (const c of casesWithProject(f)) await expectApiError(call(c.name, c.args), c.code, c.details, seen)
    // spec.check answers with the same issues rather than failing.
    const r = (await call('spec.check', { spec: { nets: 2.5 } })) as { ok: boolean; problems: unknown[] }
    expect(r).toEqual({
      ok: false,
      problems: [{ path: 'nets', problem: { kind: 'not-integer' }, message: expect.any(String) }],
    })
  })

  it.each(Object.entries(thrown))('what the layers below throw, by class: %s', async (key, t) => {
    await expectApiError(call('runs.get', { runId: key }), t.code, t.details, seen)
  })

  it('a malformed message is bad input; a service that has closed cancels requests', async () => {
    const other = new Service({ host: 'browser', settings: new FileSettingsStore(`${root}/config-2`) })
    const s2 = await startServer({ service: other, staticDir: root })
    const c2 = webSocketClient(`ws://127.0.0.1:${s2.port}/ws?token=${s2.token}`)
    await c2.ready
    await other.close()
    await expectApiError(
      (c2.call as (n: string, a: unknown) => Promise<unknown>)('app.info', {}),
      'cancelled',
      { request: 'app.info' },
      seen,
    )
    c2.close()
    await s2.close()
  })

  it('a host that has gone away is unavailable', async () => {
    const other = new Service({ host: 'browser', settings: new FileSettingsStore(`${root}/config-3`) })
    const s3 = await startServer({ service: other, staticDir: root })
    const c3 = webSocketClient(`ws://127.0.0.1:${s3.port}/ws?token=${s3.token}`)
    await c3.ready
    await s3.close()
    const e = await (c3.call as (n: string, a: unknown) => Promise<unknown>)('app.info', {}).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ApiError)
    expect(e).toMatchObject({ code: 'unavailable', details: { host: 'browser' } })
    seen.add('unavailable')
    await other.shutdown()
  })

  it('every code of the contract was seen', () => {
    expect([...seen].sort()).toEqual([...ALL_CODES].sort())
  })
})
