import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { RequestError } from '../../../src/renderer/src/lib/api'
import ErrorBanner from '../../../src/renderer/src/ui/ErrorBanner.vue'

describe('ErrorBanner', () => {
  it('shows a failed request’s message and its contract code, as an alert', () => {
    const w = mount(ErrorBanner, {
      props: {
        error: new RequestError('not-found', 'no run r9 in this project', { what: 'run', which: 'r9' }),
        testid: 'embed-error',
      },
    })
    const p = w.get('[data-testid="embed-error"]')
    expect(p.attributes('role')).toBe('alert')
    expect(p.get('.message').text()).toBe('no run r9 in this project')
    expect(p.get('[data-testid="error-code"]').text()).toBe('not-found')
  })

  it('shows a plain message or any thrown value without a code', () => {
    const text = mount(ErrorBanner, { props: { error: 'choose two different networks between 0 and 3' } })
    expect(text.get('.message').text()).toBe('choose two different networks between 0 and 3')
    expect(text.find('[data-testid="error-code"]').exists()).toBe(false)
    const thrown = mount(ErrorBanner, { props: { error: new TypeError('x is undefined'), small: true } })
    expect(thrown.get('.message').text()).toBe('x is undefined')
    expect(thrown.find('[data-testid="error-code"]').exists()).toBe(false)
    expect(thrown.classes()).toContain('small')
  })
})
