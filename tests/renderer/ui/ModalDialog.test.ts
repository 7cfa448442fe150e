import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import ModalDialog from '../../../src/renderer/src/ui/ModalDialog.vue'

describe('ModalDialog', () => {
  it('opens as a modal named by its title, with body and footer', () => {
    const w = mount(ModalDialog, {
      props: { title: 'Save view', testid: 'save-view-dialog' },
      slots: { default: '<p class="b">body</p>', footer: '<button class="ok">Save</button>' },
      attachTo: document.body,
    })
    const d = w.get('dialog')
    expect((d.element as HTMLDialogElement).open).toBe(true)
    expect(d.attributes('aria-label')).toBe('Save view')
    expect(d.attributes('data-testid')).toBe('save-view-dialog')
    expect(w.get('h2').text()).toBe('Save view')
    expect(w.get('.modal-body .b').text()).toBe('body')
    expect(w.get('.modal-foot .ok').text()).toBe('Save')
    w.unmount()
  })

  it('asks to close on Escape (cancel), on the close button and on the backdrop, not on a click inside', async () => {
    const w = mount(ModalDialog, {
      props: { title: 'Export figure' },
      slots: { default: '<p class="b">body</p>' },
      attachTo: document.body,
    })
    const cancel = new Event('cancel', { cancelable: true })
    w.get('dialog').element.dispatchEvent(cancel)
    // The dialog stays open until the parent removes it.
    expect(cancel.defaultPrevented).toBe(true)
    await w.get('button[aria-label="Close"]').trigger('click')
    await w.get('.b').trigger('mousedown')
    await w.get('dialog').trigger('mousedown')
    expect(w.emitted('close')).toHaveLength(3)
    expect(w.find('.modal-foot').exists()).toBe(false)
    w.unmount()
  })
})
