/**
 * The preload exposes exactly the API client as window.sgdscope, over the two IPC
 * channels, and nothing of Electron or Node.
 */
import { existsSync, readFileSync } from 'node:fs'
import * as path from 'node:path'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { CALL_CHANNEL, CANCEL_CHANNEL, EVENT_CHANNEL } from '../../../src/shared/api/transport'
import type { SgdscopeBridge } from '../../../src/preload/types'
import { fake } from './fake-electron'

vi.mock('electron', async () => (await import('./fake-electron')).electronModule())

const repo = path.resolve(__dirname, '../../..')
let bridge: SgdscopeBridge

beforeAll(async () => {
  await import('../../../src/preload/index')
  expect(fake.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1)
  bridge = fake.contextBridge.exposeInMainWorld.mock.calls[0][1] as SgdscopeBridge
})

const emit = (name: unknown, payload: unknown) => {
  for (const l of fake.rendererListeners.get(EVENT_CHANNEL) ?? []) l({ sender: 'the IPC event' }, name, payload)
}

describe('window.sgdscope', () => {
  it('is exposed under "sgdscope" and is exactly {host, call, cancel, on}', () => {
    expect(fake.contextBridge.exposeInMainWorld.mock.calls[0][0]).toBe('sgdscope')
    expect(Object.keys(bridge).sort()).toEqual(['call', 'cancel', 'host', 'on'])
    expect(bridge.cancel).toBeTypeOf('function')
    expect(bridge.host).toBe('electron')
    expect(bridge.call).toBeTypeOf('function')
    expect(bridge.on).toBeTypeOf('function')
    // Nothing that leads back to Electron or Node: no ipcRenderer, no require, no process.
    const seen = new Set<unknown>()
    const walk = (v: unknown) => {
      if (!v || (typeof v !== 'object' && typeof v !== 'function') || seen.has(v)) return
      seen.add(v)
      expect(v).not.toBe(fake.ipcRenderer)
      for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k])
    }
    walk(bridge)
  })

  it('listens on the event channel only, and uses nothing of ipcRenderer but invoke, on and send', () => {
    expect(fake.ipcRenderer.on.mock.calls.map((c) => c[0])).toEqual([EVENT_CHANNEL])
    expect(fake.ipcRenderer.send).not.toHaveBeenCalled()
    expect(fake.ipcRenderer.sendSync).not.toHaveBeenCalled()
  })

  it('a call with a key passes it to the main process, and cancel(key) sends it on the cancel channel only', async () => {
    fake.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, result: null })
    await bridge.call('runs.metrics', { runId: 'r' }, { key: 'k7' })
    expect(fake.ipcRenderer.invoke).toHaveBeenLastCalledWith(CALL_CHANNEL, 'runs.metrics', { runId: 'r' }, 'k7')
    bridge.cancel('k7')
    expect(fake.ipcRenderer.send.mock.calls).toEqual([[CANCEL_CHANNEL, 'k7']])
    ;(bridge.cancel as (k: unknown) => void)({ not: 'a key' })
    expect(fake.ipcRenderer.send).toHaveBeenCalledTimes(1)
  })

  it('call() invokes the call channel with (name, args) and resolves the result', async () => {
    fake.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, result: { version: '1.0.0' } })
    await expect(bridge.call('app.info', {})).resolves.toEqual({ version: '1.0.0' })
    expect(fake.ipcRenderer.invoke).toHaveBeenLastCalledWith(CALL_CHANNEL, 'app.info', {})
    fake.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, result: null })
    await expect(bridge.call('project.close', {})).resolves.toBeNull()
  })

  it('call() unwraps {ok: false} into a rejection carrying code, message and details', async () => {
    const details = {
      issues: [
        {
          path: 'runId',
          problem: { kind: 'too-small', minimum: 1, inclusive: true, of: 'string' },
          message: 'too short',
        },
      ],
    }
    fake.ipcRenderer.invoke.mockResolvedValueOnce({
      ok: false,
      error: { code: 'bad-input', message: 'runs.get: runId: too short', details },
    })
    const e = await bridge.call('runs.get', { runId: '' }).catch((x: unknown) => x)
    expect(e).toEqual({ name: 'ApiError', code: 'bad-input', message: 'runs.get: runId: too short', details })
    // Plain data: it crosses contextBridge (which keeps only an Error's message) intact.
    expect(structuredClone(e)).toEqual(e)
    expect(Object.getPrototypeOf(e)).toBe(Object.prototype)
  })

  it('a failed IPC call becomes "unavailable", a malformed reply "internal"', async () => {
    fake.ipcRenderer.invoke.mockRejectedValueOnce(new Error("No handler registered for 'sgdscope:call'"))
    await expect(bridge.call('app.info', {})).rejects.toEqual({
      name: 'ApiError',
      code: 'unavailable',
      message: "No handler registered for 'sgdscope:call'",
      details: { host: 'electron' },
    })
    const noDetails = { ok: false, error: { code: 'internal', message: 'x' } }
    const unknownCode = { ok: false, error: { code: 'failed', message: 'x', details: {} } }
    for (const reply of [
      undefined,
      null,
      'ok',
      { ok: 'yes' },
      { ok: false },
      { ok: false, error: { code: 1 } },
      noDetails,
      unknownCode,
    ]) {
      fake.ipcRenderer.invoke.mockResolvedValueOnce(reply)
      await expect(bridge.call('app.info', {})).rejects.toMatchObject({
        code: 'internal',
        message: 'malformed reply to app.info',
      })
    }
  })

  it('on() delivers payloads of the named event only, without the IPC event object, until unsubscribed', () => {
    const progress = vi.fn()
    const log = vi.fn()
    const off = bridge.on('run.progress', progress)
    bridge.on('log', log)
    emit('run.progress', { runId: 'r', samplesDone: 1 })
    emit('project.changed', null)
    emit(42, 'junk')
    expect(progress).toHaveBeenCalledTimes(1)
    expect(progress).toHaveBeenCalledWith({ runId: 'r', samplesDone: 1 })
    expect(log).not.toHaveBeenCalled()
    off()
    emit('run.progress', { runId: 'r', samplesDone: 2 })
    expect(progress).toHaveBeenCalledTimes(1)
  })

  it('a throwing listener does not stop the others', () => {
    const bad = vi.fn(() => {
      throw new Error('listener bug')
    })
    const good = vi.fn()
    const err = vi.spyOn(console, 'error').mockImplementation(() => {})
    const offs = [bridge.on('ui.command', bad), bridge.on('ui.command', good)]
    emit('ui.command', { command: 'new-run' })
    expect(good).toHaveBeenCalledWith({ command: 'new-run' })
    expect(err).toHaveBeenCalled()
    offs.forEach((o) => o())
    err.mockRestore()
  })

  it('the same listener twice is two subscriptions, each with its own unsubscribe', () => {
    const l = vi.fn()
    const a = bridge.on('log', l)
    const b = bridge.on('log', l)
    emit('log', 1)
    expect(l).toHaveBeenCalledTimes(2)
    a()
    emit('log', 2)
    expect(l).toHaveBeenCalledTimes(3)
    b()
    emit('log', 3)
    expect(l).toHaveBeenCalledTimes(3)
    expect(() => bridge.on('log', 'not a function' as unknown as () => void)).toThrow(TypeError)
  })
})

describe('the built preload', () => {
  const built = path.join(repo, 'out/preload/index.cjs')
  it.skipIf(!existsSync(built))('is CommonJS and requires nothing but electron (a sandboxed preload cannot)', () => {
    const js = readFileSync(built, 'utf8')
    expect([...js.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])).toEqual(['electron'])
    expect(js).not.toMatch(/^\s*(import|export)\s/m)
    expect(js).toContain('exposeInMainWorld("sgdscope"')
  })
})
