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

  it('offers a retry only when given one, and calls it once per click while it runs', async () => {
    expect(
      mount(ErrorBanner, { props: { error: 'x', testid: 'e' } })
        .find('button')
        .exists(),
    ).toBe(false)
    let calls = 0
    let finish: () => void = () => {}
    const retry = () => {
      calls++
      return new Promise<void>((r) => (finish = r))
    }
    const w = mount(ErrorBanner, { props: { error: 'x', testid: 'e', retry } })
    const b = w.get('[data-testid="e-retry"]')
    expect(b.text()).toBe('Try again')
    await b.trigger('click')
    await b.trigger('click') // still retrying: ignored
    expect(calls).toBe(1)
    expect(b.attributes('disabled')).toBeDefined()
    finish()
    await new Promise((r) => setTimeout(r, 0))
    expect(b.attributes('disabled')).toBeUndefined()
    await b.trigger('click')
    expect(calls).toBe(2)
    const named = mount(ErrorBanner, { props: { error: 'x', retry, retryTestid: 'details-retry' } })
    expect(named.find('[data-testid="details-retry"]').exists()).toBe(true)
  })
})
