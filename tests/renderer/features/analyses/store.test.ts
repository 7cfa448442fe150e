import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { useBeyondStore } from '../../../../src/renderer/src/features/analyses/store'
import { hostError, installFakeHost, until } from '../../helpers/fake-host'

const host = installFakeHost()

beforeEach(() => {
  setActivePinia(createPinia())
  host.reset()
})

describe('analyses (Beyond) store', () => {
  it('asks the host once per run and query, whatever the order of the query’s keys', async () => {
    host.handle('beyond.subproblems', (a: { kind: string }) => ({ kind: a.kind }))
    const store = useBeyondStore()
    const r1 = await store.subproblems('r1', { kind: 'pairs', model: 'exponential', minImages: 3 })
    const r2 = await store.subproblems('r1', { minImages: 3, model: 'exponential', kind: 'pairs' })
    expect(r2).toBe(r1)
    expect(host.callsOf('beyond.subproblems')).toEqual([
      { runId: 'r1', kind: 'pairs', model: 'exponential', minImages: 3 },
    ])
    await store.subproblems('r2', { kind: 'pairs', model: 'exponential', minImages: 3 })
    await store.subproblems('r1', { kind: 'classes', model: 'exponential', minImages: 3 })
    expect(host.callsOf('beyond.subproblems')).toHaveLength(3)
  })

  it('forgets one run’s results (it trained further) and keeps the others', async () => {
    host.handle('beyond.weightVsFunction', () => ({}))
    const store = useBeyondStore()
    await store.weightVsFunction('r1', { alignment: 'final' })
    await store.weightVsFunction('r2', { alignment: 'final' })
    store.invalidate('r1')
    await store.weightVsFunction('r1', { alignment: 'final' })
    await store.weightVsFunction('r2', { alignment: 'final' })
    expect(host.callsOf('beyond.weightVsFunction').map((a) => (a as { runId: string }).runId)).toEqual([
      'r1',
      'r2',
      'r1',
    ])
  })

  it('counts requests in flight, and a failure is not cached', async () => {
    let fail: ((e: unknown) => void) | null = null
    host.handle('beyond.barrier', () => new Promise((_, reject) => (fail = reject)))
    const store = useBeyondStore()
    const p = store.barrier('r1', { nets: [0, 1], points: 21 })
    await until(() => fail !== null, 'the barrier request')
    expect(store.inFlight).toBe(1)
    fail!(
      hostError('bad-input', 'nets: 5 is not a network of this run', {
        issues: [{ path: 'nets', problem: { kind: 'invalid' }, message: '5 is not a network of this run' }],
      }),
    )
    await expect(p).rejects.toMatchObject({ code: 'bad-input', details: { issues: [{ path: 'nets' }] } })
    expect(store.inFlight).toBe(0)
    host.handle('beyond.barrier', () => ({ ok: true }))
    expect(await store.barrier('r1', { nets: [0, 1], points: 21 })).toEqual({ ok: true })
    expect(host.callsOf('beyond.barrier')).toHaveLength(2)
  })

  it('downloads a figure rendered on the host under a safe file name: label and kind, a counter the second time', async () => {
    host.handle('beyond.figure', () => ({ format: 'svg', data: '<svg/>' }))
    const clicked: string[] = []
    const click = HTMLAnchorElement.prototype.click
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      clicked.push(this.download)
    }
    try {
      const store = useBeyondStore()
      const file = await store.download('r1', { kind: 'rates', spectrum: 'pairs' } as never, 'svg', 'batch 1 / B=1', 7)
      expect(file).toBe('batch_1_B_1-rates.svg')
      expect(clicked).toEqual(['batch_1_B_1-rates.svg'])
      expect(host.callsOf('beyond.figure')).toEqual([
        {
          runId: 'r1',
          figure: { kind: 'rates', spectrum: 'pairs' },
          format: 'svg',
          look: { style: 'paper', widthIn: 7 },
        },
      ])
      // The same run and kind again: a counter, never the same name.
      expect(await store.download('r1', { kind: 'rates' } as never, 'svg', 'batch 1 / B=1')).toBe(
        'batch_1_B_1-rates-2.svg',
      )
      expect(await store.download('r1', { kind: 'barrier' } as never, 'pdf', 'batch 1 / B=1')).toBe(
        'batch_1_B_1-barrier.pdf',
      )
    } finally {
      HTMLAnchorElement.prototype.click = click
    }
  })
})
