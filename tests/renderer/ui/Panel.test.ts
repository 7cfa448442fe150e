import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import Panel from '../../../src/renderer/src/ui/Panel.vue'

describe('Panel', () => {
  it('shows its title, what it shows, header controls and its body in that order', () => {
    const w = mount(Panel, {
      props: { title: 'Ensemble distances', subtitle: 'mean pairwise distance', testid: 'derived' },
      slots: { head: '<button>τ</button>', default: '<div class="chart">chart</div>' },
    })
    const root = w.get('[data-testid="derived"]')
    expect(root.get('h3').text()).toBe('Ensemble distances')
    const head = root.get('header')
    expect(head.element.children[0]!.tagName).toBe('H3')
    expect(head.element.children[1]!.tagName).toBe('BUTTON')
    expect(head.get('.muted').text()).toBe('mean pairwise distance')
    expect(root.get('.chart').text()).toBe('chart')
  })

  it('takes a subtitle with markup from a slot, and has none when given none', () => {
    const rich = mount(Panel, { props: { title: 'Rates' }, slots: { subtitle: 'the first <b>100</b> images' } })
    expect(rich.get('.muted').html()).toContain('<b>100</b>')
    const bare = mount(Panel, { props: { title: 'Rates' } })
    expect(bare.find('.muted').exists()).toBe(false)
  })
})
