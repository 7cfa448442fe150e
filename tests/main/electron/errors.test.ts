/**
 * Every error code reaches the renderer through the desktop host with its details: the
 * renderer's client (src/renderer/src/api/client.ts, over window.sgdscope) → the preload's
 * bridge (copied as contextBridge copies: plain data only) → the fake Electron's IPC → the
 * IPC binding → a real Service.
 */
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { bindContract, type ContractBinding } from '../../../src/main/electron/ipc'
import type { AppLocation } from '../../../src/main/electron/security'
import { Service } from '../../../src/main/service'
import { FileSettingsStore } from '../../../src/main/settings'
import { createBridge } from '../../../src/preload/client'
import { createClient } from '../../../src/renderer/src/api/client'
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
import { FakeFrame, FakeWebContents, fake, resetFake } from './fake-electron'

vi.mock('electron', async () => (await import('./fake-electron')).electronModule())

const root = tempDir('sgdscope-ipc-errors-')
const f = errorFixtures(root)
/** Everything below the service throws, by runs.get key: the table and what the new code really throws. */
const thrown = { ...THROWN, ...(await thrownByNewCode(f)) }
const loc: AppLocation = { indexUrl: pathToFileURL(path.join(root, 'out', 'renderer', 'index.html')).href }
const seen = new Set<string>()

interface Desk {
  service: Service
  binding: ContractBinding
  call: (name: string, args: unknown) => Promise<unknown>
  /** The next calls come from this frame instead of the app's main frame. */
  frame: { current: FakeFrame | null }
}

/** The renderer's client over the preload's bridge over the fake IPC to the binding. */
function desk(configDir: string): Desk {
  resetFake()
  const service = new Service({ host: 'electron', settings: new FileSettingsStore(configDir) })
  const service_ = scriptedService(service, thrown)
  const binding = bindContract({ ipcMain: fake.ipcMain, service: service_, loc, report: () => {} })
  const wc = new FakeWebContents()
  wc.mainFrame.url = loc.indexUrl
  binding.attach(wc)
  const frame: Desk['frame'] = { current: null }
  const bridge = createBridge({
    invoke: (channel, ...args) => fake.invoke(channel, wc.invokeEvent(frame.current ?? wc.mainFrame), ...args),
    send: (channel, ...args) => void fake.ipcMain.emit(channel, { sender: wc }, ...args),
    on: () => undefined,
  })
  // contextBridge copies what crosses into the page; an Error would lose all but its message.
  const copied = {
    host: 'electron' as const,
    call: (name: string, args: unknown) =>
      bridge.call(name as never, args as never).catch((e: unknown) => Promise.reject(structuredClone(e))),
    on: bridge.on,
  }
  ;(globalThis as { window?: unknown }).window = { sgdscope: copied }
  const client = createClient()
  expect(client.host).toBe('electron')
  return { service, binding, call: client.call as Desk['call'], frame }
}

let d: Desk
beforeAll(() => {
  d = desk(`${root}/config`)
})
afterAll(async () => {
  await d.service.shutdown()
  delete (globalThis as { window?: unknown }).window
})

describe('errors through the desktop host', () => {
  it.each(realCases(f).map((c) => [c.what, c] as const))('%s', async (_what, c) => {
    await expectApiError(d.call(c.name, c.args), c.code, c.details, seen)
  })

  it('with a project open: not found, bad input (paths inside the spec), io, refusals on recorded runs', async () => {
    await recordedRuns(f)
    await d.call('project.open', { dir: f.project, create: true })
    for (const c of casesWithProject(f)) await expectApiError(d.call(c.name, c.args), c.code, c.details, seen)
  })

  it.each(Object.entries(thrown))('what the layers below throw, by class: %s', async (key, t) => {
    await expectApiError(d.call('runs.get', { runId: key }), t.code, t.details, seen)
  })

  it('a call from a subframe is unauthorized', async () => {
    const sub = new FakeFrame(loc.indexUrl)
    sub.parent = new FakeFrame(loc.indexUrl)
    d.frame.current = sub
    try {
      await expectApiError(d.call('app.info', {}), 'unauthorized', { reason: 'the call comes from a subframe' }, seen)
    } finally {
      d.frame.current = null
    }
  })

  it('a service that has closed cancels requests; a host that has gone away is unavailable', async () => {
    const other = desk(`${root}/config-2`)
    await other.service.close()
    await expectApiError(other.call('app.info', {}), 'cancelled', { request: 'app.info' }, seen)
    other.binding.dispose()
    await expectApiError(other.call('app.info', {}), 'unavailable', { host: 'electron' }, seen)
  })

  it('every code of the contract was seen', () => {
    expect([...seen].sort()).toEqual([...ALL_CODES].sort())
  })
})
