import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import RangeSlider from '../../../src/renderer/src/ui/RangeSlider.vue'

const fmt = (i: number) => `epoch ${i / 10}`

async function move(w: ReturnType<typeof mount>, which: 'from' | 'to', value: number) {
  const input = w.get(`[data-testid="window-${which}"]`)
  ;(input.element as HTMLInputElement).value = String(value)
  await input.trigger('input')
}

describe('RangeSlider', () => {
  it('labels both ends with the formatter', () => {
    const w = mount(RangeSlider, {
      props: { count: 9, modelValue: [2, 6], format: fmt, testid: 'window', label: 'epoch window' },
    })
    expect(w.get('[data-testid="window-from-label"]').text()).toBe('epoch 0.2')
    expect(w.get('[data-testid="window-to-label"]').text()).toBe('epoch 0.6')
    expect(w.get('[data-testid="window-from"]').attributes('aria-label')).toBe('epoch window: from')
    expect(w.get('[data-testid="window-to"]').attributes('aria-valuetext')).toBe('epoch 0.6')
  })

  it('emits the new window on a move, and the handles never cross', async () => {
    const w = mount(RangeSlider, { props: { count: 9, modelValue: [2, 6], format: fmt, testid: 'window' } })
    await move(w, 'from', 4)
    await move(w, 'to', 1)
    await move(w, 'from', 8)
    // The model stays [2, 6] (no parent updates it): each move is clamped against it.
    expect(w.emitted('update:modelValue')).toEqual([[[4, 6]], [[2, 2]], [[6, 6]]])
  })

  it('is disabled with fewer than two positions', () => {
    const w = mount(RangeSlider, { props: { count: 1, modelValue: [0, 0], testid: 'window' } })
    expect(w.get('[data-testid="window-from"]').attributes('disabled')).toBeDefined()
    expect(w.get('[data-testid="window-to"]').attributes('disabled')).toBeDefined()
  })
})
