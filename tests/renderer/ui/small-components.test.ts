import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import AppIcon from '../../../src/renderer/src/ui/AppIcon.vue'
import BusyOverlay from '../../../src/renderer/src/ui/BusyOverlay.vue'
import { ICONS } from '../../../src/renderer/src/ui/icons'
import ProgressBar from '../../../src/renderer/src/ui/ProgressBar.vue'
import StatusBadge from '../../../src/renderer/src/ui/StatusBadge.vue'

describe('ProgressBar', () => {
  it('reports the fraction as a percentage, clamped to 0–100', () => {
    const w = mount(ProgressBar, { props: { value: 0.426, status: 'running', label: 'training' } })
    const bar = w.get('[role="progressbar"]')
    expect(bar.attributes('aria-valuenow')).toBe('43')
    expect(bar.attributes('aria-label')).toBe('training')
    expect(bar.classes()).toContain('running')
    expect(bar.get('span').attributes('style')).toContain('width: 42.6%')
    expect(
      mount(ProgressBar, { props: { value: 1.7 } })
        .get('[role="progressbar"]')
        .attributes('aria-valuenow'),
    ).toBe('100')
    expect(
      mount(ProgressBar, { props: { value: -1 } })
        .get('[role="progressbar"]')
        .attributes('aria-valuenow'),
    ).toBe('0')
  })
})

describe('StatusBadge', () => {
  it('names the status and carries it for styling and tests', () => {
    const w = mount(StatusBadge, { props: { status: 'interrupted' } })
    const b = w.get('[data-testid="status-badge"]')
    expect(b.text()).toBe('interrupted')
    expect(b.attributes('data-status')).toBe('interrupted')
    expect(b.classes()).toContain('interrupted')
  })
})

describe('BusyOverlay', () => {
  it('shows what is computed and the host’s progress line, politely announced', () => {
    const w = mount(BusyOverlay, { props: { title: 'Reading metrics…', text: 'Reading snapshots 2 / 9' } })
    expect(w.get('[data-testid="busy"]').attributes('aria-live')).toBe('polite')
    expect(w.text()).toContain('Reading metrics…')
    expect(w.get('[data-testid="busy-progress"]').text()).toBe('Reading snapshots 2 / 9')
    const idle = mount(BusyOverlay)
    expect(idle.text()).toContain('Computing the embedding…')
    expect(idle.get('[data-testid="busy-progress"]').text()).toBe('Starting…')
    expect(idle.find('[data-testid="busy-cancel"]').exists()).toBe(false)
  })

  it('offers Cancel when the view can stop its request', async () => {
    const w = mount(BusyOverlay, { props: { cancellable: true } })
    await w.get('[data-testid="busy-cancel"]').trigger('click')
    expect(w.emitted('cancel')).toHaveLength(1)
  })
})

describe('AppIcon', () => {
  it('draws the named icon at the given size, hidden from assistive technology', () => {
    const name = Object.keys(ICONS)[0] as keyof typeof ICONS
    const w = mount(AppIcon, { props: { name, size: 20 } })
    expect(w.get('svg').attributes()).toMatchObject({ width: '20', height: '20', 'aria-hidden': 'true' })
    expect(w.get('path').attributes('d')).toBe(ICONS[name])
  })
})
