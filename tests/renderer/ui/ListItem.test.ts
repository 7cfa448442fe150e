import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import ListItem from '../../../src/renderer/src/ui/ListItem.vue'

describe('ListItem', () => {
  it('is one button with its title, the line under it and what goes at the end', async () => {
    const w = mount(ListItem, {
      props: { title: 'mnist-study', subtitle: '/home/me/experiments', icon: 'folder', tooltip: 'Open it' },
      slots: { end: '<span class="open">Open</span>' },
    })
    const b = w.get('button')
    expect(b.attributes('type')).toBe('button')
    expect(b.attributes('title')).toBe('Open it')
    expect(w.get('.title').text()).toBe('mnist-study')
    expect(w.get('.subtitle').text()).toBe('/home/me/experiments')
    expect(w.get('.end .open').text()).toBe('Open')
    expect(w.find('svg').exists()).toBe(true)
    await b.trigger('click')
    expect(w.emitted('select')).toHaveLength(1)
  })

  it('marks a selected row for screen readers, and has no empty parts', () => {
    const w = mount(ListItem, { props: { title: 'run 1', selected: true } })
    expect(w.get('button').attributes('aria-current')).toBe('true')
    expect(w.get('button').classes()).toContain('selected')
    expect(w.find('.subtitle').exists()).toBe(false)
    expect(w.find('.end').exists()).toBe(false)
    expect(w.find('svg').exists()).toBe(false)
    expect(
      mount(ListItem, { props: { title: 'run 2' } })
        .get('button')
        .attributes('aria-current'),
    ).toBeUndefined()
  })
})
