import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { defineComponent } from 'vue'
import FormField from '../../../src/renderer/src/ui/FormField.vue'

const control = `<template #default="f"><input :id="f.id" :class="{ invalid: f.invalid }" :aria-describedby="f.describedBy" /></template>`

describe('FormField', () => {
  it('labels its control and describes it with the hint', () => {
    const w = mount(FormField, { props: { label: 'Name', hint: 'what it is called' }, slots: { default: control } })
    const input = w.get('input')
    expect(w.get('label').attributes('for')).toBe(input.attributes('id'))
    expect(input.attributes('id')).toBeTruthy()
    const note = w.get('p')
    expect(note.text()).toBe('what it is called')
    expect(input.attributes('aria-describedby')).toBe(note.attributes('id'))
    expect(input.classes()).not.toContain('invalid')
  })

  it('shows a problem instead of the hint, as an alert, and marks the control invalid', () => {
    const w = mount(FormField, {
      props: { label: 'Name', hint: 'what it is called', problem: 'must not be empty' },
      slots: { default: control },
    })
    const ps = w.findAll('p')
    expect(ps).toHaveLength(1)
    expect(ps[0]!.text()).toBe('must not be empty')
    expect(ps[0]!.attributes('role')).toBe('alert')
    expect(w.get('input').classes()).toContain('invalid')
    expect(w.get('input').attributes('aria-describedby')).toBe(ps[0]!.attributes('id'))
  })

  it('takes a given id and a hint with markup; without a note the control is described by nothing', () => {
    const w = mount(FormField, {
      props: { label: 'Folder', id: 'dir' },
      slots: { default: control, hint: 'a <code>NAME.sgdscope</code> folder' },
    })
    expect(w.get('input').attributes('id')).toBe('dir')
    expect(w.get('label').attributes('for')).toBe('dir')
    expect(w.get('p').html()).toContain('<code>NAME.sgdscope</code>')
    const bare = mount(FormField, { props: { label: 'Folder' }, slots: { default: control } })
    expect(bare.find('p').exists()).toBe(false)
    expect(bare.get('input').attributes('aria-describedby')).toBeUndefined()
  })

  it('gives two fields of one form different ids', () => {
    const Form = defineComponent({
      components: { FormField },
      template: `<form><FormField label="A">${control}</FormField><FormField label="B">${control}</FormField></form>`,
    })
    const ids = mount(Form)
      .findAll('input')
      .map((i) => i.attributes('id'))
    expect(ids).toHaveLength(2)
    expect(ids[0]).not.toBe(ids[1])
  })
})
