import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { RequestError } from '../../../src/renderer/src/lib/api'
import { hashToRoute, routeToHash, useUiStore, type Route } from '../../../src/renderer/src/stores/ui'

beforeEach(() => {
  setActivePinia(createPinia())
  history.replaceState(null, '', '/')
})

describe('routes and hashes', () => {
  it('round-trips every kind of place through the URL hash, names with slashes and spaces included', () => {
    const routes: Route[] = [
      { name: 'project' },
      { name: 'settings' },
      { name: 'run', runId: 'run/with space', tab: 'paths' },
      { name: 'page', pageId: 'saved-views' },
    ]
    for (const r of routes) expect(hashToRoute(routeToHash(r))).toEqual(r)
    expect(routeToHash({ name: 'start' })).toBe('#/')
    expect(hashToRoute('#/')).toBeNull()
    expect(hashToRoute('#/run/abc')).toEqual({ name: 'run', runId: 'abc', tab: 'details' })
    expect(hashToRoute('#/nowhere')).toBeNull()
  })

  it('go() shows the place and mirrors it in the hash; openRun keeps the current tab', () => {
    const ui = useUiStore()
    ui.go({ name: 'run', runId: 'a', tab: 'metrics' })
    expect(location.hash).toBe('#/run/a/metrics')
    expect(ui.selectedRunId).toBe('a')
    ui.openRun('b')
    expect(ui.route).toEqual({ name: 'run', runId: 'b', tab: 'metrics' })
    ui.go({ name: 'project' })
    ui.openRun('c')
    expect(ui.route).toEqual({ name: 'run', runId: 'c', tab: 'details' })
    expect(ui.selectedRunId).toBe('c')
  })
})

describe("a screen's query", () => {
  it('round-trips through the hash, keys sorted, commas and colons readable, anything else escaped', () => {
    const r: Route = {
      name: 'run',
      runId: 'r1',
      tab: 'paths',
      query: { zoom: '-1.5,2,0,3', nets: '0-3,7', note: 'a&b=c d', t: '12' },
    }
    const hash = routeToHash(r)
    expect(hash).toBe('#/run/r1/paths?nets=0-3,7&note=a%26b%3Dc%20d&t=12&zoom=-1.5,2,0,3')
    expect(hashToRoute(hash)).toEqual(r)
    expect(hashToRoute('#/page/compare?runs=a,b')).toEqual({ name: 'page', pageId: 'compare', query: { runs: 'a,b' } })
    // No query, or an empty one, is the plain route.
    expect(hashToRoute('#/page/compare?')).toEqual({ name: 'page', pageId: 'compare' })
    // Malformed escapes do not throw.
    expect(hashToRoute('#/run/%E0%A4%A/paths?zoom=%E0%A4%A')).toEqual({
      name: 'run',
      runId: '%E0%A4%A',
      tab: 'paths',
      query: { zoom: '%E0%A4%A' },
    })
  })

  it('setQuery patches the current screen’s query and the URL; another screen starts without one', () => {
    const ui = useUiStore()
    ui.go({ name: 'run', runId: 'a', tab: 'paths' })
    ui.setQuery({ zoom: '0,1,0,1', nets: '0-2' })
    expect(location.hash).toBe('#/run/a/paths?nets=0-2&zoom=0,1,0,1')
    ui.setQuery({ zoom: null, t: '5' })
    expect(ui.query).toEqual({ nets: '0-2', t: '5' })
    expect(location.hash).toBe('#/run/a/paths?nets=0-2&t=5')
    // The same run clicked again keeps the screen's state; another tab or run does not.
    ui.openRun('a')
    expect(ui.query).toEqual({ nets: '0-2', t: '5' })
    ui.openRun('a', 'metrics')
    expect(ui.query).toEqual({})
    expect(location.hash).toBe('#/run/a/metrics')
    ui.setQuery({ nets: '' })
    expect(location.hash).toBe('#/run/a/metrics')
  })
})

describe('notifications', () => {
  it('shows the same message twice in a row once, and keeps the last five', () => {
    const ui = useUiStore()
    const a = ui.notify('info', 'Saved')
    expect(ui.notify('info', 'Saved')).toBe(a)
    expect(ui.toasts).toHaveLength(1)
    for (let i = 0; i < 7; i++) ui.notify('info', `n${i}`)
    expect(ui.toasts.map((t) => t.title)).toEqual(['n2', 'n3', 'n4', 'n5', 'n6'])
    ui.dismiss(ui.toasts[0]!.id)
    expect(ui.toasts.map((t) => t.title)).toEqual(['n3', 'n4', 'n5', 'n6'])
  })

  it('reports a failed request with its code, and a lost connection on the banner instead of a toast', () => {
    const ui = useUiStore()
    let lost = 0
    ui.onConnectionLost(() => lost++)
    ui.reportError(
      'Cannot open the project',
      new RequestError('not-found', 'no project at /x', { what: 'project', which: '/x' }),
    )
    expect(ui.toasts.at(-1)).toMatchObject({
      kind: 'error',
      title: 'Cannot open the project',
      message: 'no project at /x',
      code: 'not-found',
    })
    ui.reportError(
      'Cannot read the runs',
      new RequestError('unavailable', 'the connection to the sgdscope server was lost', { host: 'browser' }),
    )
    expect(ui.connection).toBe('lost')
    expect(lost).toBe(1)
    expect(ui.toasts).toHaveLength(1)
    // Lost once: a second failure does not call the listeners again.
    ui.connectionLost()
    expect(lost).toBe(1)
  })

  it('guard() gives the result, or undefined and a toast when the action throws', async () => {
    const ui = useUiStore()
    expect(await ui.guard('x', async () => 42)).toBe(42)
    expect(await ui.guard('Cannot save', async () => Promise.reject(new Error('disk full')))).toBeUndefined()
    expect(ui.toasts.at(-1)).toMatchObject({ kind: 'error', title: 'Cannot save', message: 'disk full' })
    expect(ui.toasts.at(-1)!.code).toBeUndefined()
  })

  it('opens the New Run dialog with a preset', () => {
    const ui = useUiStore()
    ui.openNewRun('fig6')
    expect(ui.newRunOpen).toBe(true)
    expect(ui.newRunPreset).toBe('fig6')
  })
})
