import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import SegmentedControl from '../../../src/renderer/src/ui/SegmentedControl.vue'

const OPTIONS = [
  { value: 'tau', label: 'τ outputs', testid: 'view-tau' },
  { value: 'kappa', label: 'κ classes', testid: 'view-kappa', title: 'Hamming distance' },
  { value: 'none', label: 'none', disabled: true, title: 'not for this run' },
]

function mountWith(modelValue = 'tau') {
  return mount(SegmentedControl, { props: { modelValue, options: OPTIONS, label: 'view' }, attachTo: document.body })
}

describe('SegmentedControl', () => {
  it('is a labelled radio group with the chosen button checked', () => {
    const w = mountWith('kappa')
    expect(w.get('[role="radiogroup"]').attributes('aria-label')).toBe('view')
    const buttons = w.findAll('button')
    expect(buttons.map((b) => b.text())).toEqual(['τ outputs', 'κ classes', 'none'])
    expect(buttons.map((b) => b.attributes('aria-checked'))).toEqual(['false', 'true', 'false'])
    expect(w.get('[data-testid="view-kappa"]').attributes('title')).toBe('Hamming distance')
    // Tab reaches the chosen button only (arrow keys move within the group).
    expect(buttons.map((b) => b.attributes('tabindex'))).toEqual(['-1', '0', '-1'])
    w.unmount()
  })

  it('emits the chosen value on click, nothing for the current or a disabled one', async () => {
    const w = mountWith('tau')
    await w.get('[data-testid="view-kappa"]').trigger('click')
    await w.get('[data-testid="view-tau"]').trigger('click')
    await w.findAll('button')[2]!.trigger('click')
    expect(w.emitted('update:modelValue')).toEqual([['kappa']])
    expect(w.findAll('button')[2]!.attributes('disabled')).toBeDefined()
    w.unmount()
  })

  it('moves the choice with the arrow keys, skipping disabled options and wrapping around', async () => {
    const w = mountWith('kappa')
    await w.get('[role="radiogroup"]').trigger('keydown', { key: 'ArrowRight' })
    expect(w.emitted('update:modelValue')).toEqual([['tau']])
    await w.setProps({ modelValue: 'tau' })
    await w.get('[role="radiogroup"]').trigger('keydown', { key: 'ArrowLeft' })
    expect(w.emitted('update:modelValue')!.at(-1)).toEqual(['kappa'])
    expect(document.activeElement?.textContent?.trim()).toBe('κ classes')
    w.unmount()
  })

  it('works with v-model in a parent', async () => {
    const Parent = {
      components: { SegmentedControl },
      data: () => ({ view: 'tau', options: OPTIONS }),
      template: '<SegmentedControl v-model="view" :options="options" label="view" /><p>{{ view }}</p>',
    }
    const w = mount(Parent)
    await w.get('[data-testid="view-kappa"]').trigger('click')
    expect(w.get('p').text()).toBe('kappa')
    expect(w.get('[data-testid="view-kappa"]').attributes('aria-checked')).toBe('true')
  })
})
