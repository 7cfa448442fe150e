import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { takesKey, useTimeStore } from '../../../src/renderer/src/stores/time'

const EPOCHS = [0, 0.5, 1, 2, 3]

beforeEach(() => {
  setActivePinia(createPinia())
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
  document.body.innerHTML = ''
})

function key(k: string, target: EventTarget = window) {
  const e = new KeyboardEvent('keydown', { key: k, code: k === ' ' ? 'Space' : k, bubbles: true, cancelable: true })
  target.dispatchEvent(e)
  return e
}

describe('time store', () => {
  it('steps, sets by index and turns off', () => {
    const t = useTimeStore()
    t.setAxis(EPOCHS)
    expect(t.epoch).toBeNull()
    expect(t.label).toBe('all 5 snapshots')
    t.step(1)
    expect(t.epoch).toBe(0)
    t.step(1)
    t.step(1)
    expect([t.epoch, t.index, t.label]).toEqual([1, 2, 'epoch 1 · snapshot 3/5'])
    t.setIndex(10)
    expect([t.epoch, t.atEnd]).toEqual([3, true])
    t.set(1.5)
    expect(t.index).toBe(2)
    t.set(null)
    expect(t.index).toBe(-1)
  })

  it('plays one snapshot per 1/speed s and stops at the last; play at the end starts again', () => {
    const t = useTimeStore()
    t.setAxis(EPOCHS)
    t.setSpeed(2)
    t.play()
    expect([t.playing, t.epoch]).toEqual([true, 0])
    vi.advanceTimersByTime(499)
    expect(t.epoch).toBe(0)
    vi.advanceTimersByTime(1)
    expect(t.epoch).toBe(0.5)
    vi.advanceTimersByTime(500 * 3)
    expect(t.epoch).toBe(3)
    vi.advanceTimersByTime(500)
    expect(t.playing).toBe(false)
    t.play()
    expect(t.epoch).toBe(0)
    t.pause()
    vi.advanceTimersByTime(5000)
    expect(t.epoch).toBe(0)
  })

  it('a step or turning off pauses playback', () => {
    const t = useTimeStore()
    t.setAxis(EPOCHS)
    t.play()
    t.step(1)
    expect(t.playing).toBe(false)
    t.play()
    t.set(null)
    expect(t.playing).toBe(false)
  })

  it('←/→ step and space plays, once however many sliders listen, not while typing', () => {
    const t = useTimeStore()
    t.setAxis(EPOCHS)
    const detachA = t.attachKeys()
    const detachB = t.attachKeys()
    expect(key('ArrowRight').defaultPrevented).toBe(true)
    expect(t.epoch).toBe(0)
    key('ArrowRight')
    expect(t.epoch).toBe(0.5)
    key('ArrowLeft')
    expect(t.epoch).toBe(0)
    key(' ')
    expect(t.playing).toBe(true)
    key(' ')
    expect(t.playing).toBe(false)

    const input = document.createElement('input')
    document.body.append(input)
    expect(key('ArrowRight', input).defaultPrevented).toBe(false)
    key(' ', input)
    expect([t.epoch, t.playing]).toEqual([0, false])
    const button = document.createElement('button')
    document.body.append(button)
    key('ArrowRight', button) // a button takes space (it is pressed), not the arrows
    expect(t.epoch).toBe(0.5)

    detachA()
    detachA() // twice is once
    key('ArrowRight')
    expect(t.epoch).toBe(1)
    detachB()
    key('ArrowRight')
    expect(t.epoch).toBe(1)
  })

  it('knows which elements take which keys', () => {
    const el = (html: string) => {
      const d = document.createElement('div')
      d.innerHTML = html
      return d.firstElementChild!
    }
    expect(takesKey(el('<input type="text">'), 'arrow')).toBe(true)
    expect(takesKey(el('<input type="range">'), 'arrow')).toBe(true)
    expect(takesKey(el('<input type="range" data-time-keys>'), 'arrow')).toBe(false)
    expect(takesKey(el('<input type="checkbox">'), 'space')).toBe(true)
    expect(takesKey(el('<input type="checkbox">'), 'arrow')).toBe(false)
    expect(takesKey(el('<select></select>'), 'arrow')).toBe(true)
    expect(takesKey(el('<textarea></textarea>'), 'space')).toBe(true)
    expect(takesKey(el('<div></div>'), 'space')).toBe(false)
    expect(takesKey(null, 'space')).toBe(false)
  })
})
