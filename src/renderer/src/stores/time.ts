/**
 * The one time slider (issue 22 item 1): a position in training shared by every view — the
 * paths (markers move along them), the learning curves (a cursor), the comparison and the
 * run's tables. The position is an epoch (lib/time.ts), null when the slider is off (every
 * view shows all of training). The screen shown sets the snapshots the slider steps over
 * (`setAxis`); switching screens keeps the epoch, so a moment stays the same moment.
 *
 * Play advances one snapshot per tick at `speed` snapshots per second and stops at the
 * last; ←/→ step and space plays or pauses while a slider is on screen (`attachKeys`),
 * never while focus is in a text field, a select or another control that takes those keys.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { DEFAULT_SPEED, indexAt, stepFrom, timeLabel, type Speed } from '../lib/time'

export const useTimeStore = defineStore('time', () => {
  const epoch = ref<number | null>(null)
  const playing = ref(false)
  const speed = ref<Speed>(DEFAULT_SPEED)
  /** The snapshot epochs of the screen shown (sorted). */
  const epochs = shallowRef<readonly number[]>([])
  let timer: ReturnType<typeof setTimeout> | undefined

  const count = computed(() => epochs.value.length)
  /** The snapshot shown (-1: off, or before the first). */
  const index = computed(() => (epoch.value === null ? -1 : indexAt(epochs.value, epoch.value)))
  const label = computed(() => timeLabel(epochs.value, epoch.value))
  const atEnd = computed(() => count.value > 0 && index.value >= count.value - 1)

  function setAxis(list: readonly number[]): void {
    epochs.value = list
    if (playing.value && list.length === 0) pause()
  }

  /** Sets the position (an epoch; null turns the slider off and stops playback). */
  function set(t: number | null): void {
    if (t === null) pause()
    epoch.value = t
  }

  function setIndex(i: number): void {
    const e = epochs.value[Math.max(0, Math.min(count.value - 1, Math.round(i)))]
    if (e !== undefined) epoch.value = e
  }

  function step(delta: number): void {
    pause()
    epoch.value = stepFrom(epochs.value, epoch.value, delta)
  }

  function tick(): void {
    timer = undefined
    if (!playing.value) return
    if (atEnd.value || count.value === 0) {
      playing.value = false
      return
    }
    epoch.value = stepFrom(epochs.value, epoch.value, 1)
    schedule()
  }

  function schedule(): void {
    clearTimeout(timer)
    timer = setTimeout(tick, 1000 / speed.value)
  }

  /** Plays from here to the last snapshot (from the first when off or at the end). */
  function play(): void {
    if (count.value === 0) return
    if (epoch.value === null || atEnd.value) epoch.value = epochs.value[0]!
    playing.value = true
    schedule()
  }

  function pause(): void {
    playing.value = false
    clearTimeout(timer)
    timer = undefined
  }

  function toggle(): void {
    if (playing.value) pause()
    else play()
  }

  function setSpeed(s: Speed): void {
    speed.value = s
    if (playing.value) schedule()
  }

  // ---- Keyboard: one listener however many sliders are mounted ----
  let keyUsers = 0
  function onKey(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || count.value === 0) return
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      if (takesKey(e.target, 'arrow')) return
      e.preventDefault()
      step(e.key === 'ArrowRight' ? 1 : -1)
    } else if (e.key === ' ' || e.code === 'Space') {
      if (takesKey(e.target, 'space')) return
      e.preventDefault()
      toggle()
    }
  }
  /** Listens to the keys while the returned function is not yet called. */
  function attachKeys(): () => void {
    if (keyUsers++ === 0) window.addEventListener('keydown', onKey)
    let attached = true
    return () => {
      if (!attached) return
      attached = false
      if (--keyUsers === 0) {
        window.removeEventListener('keydown', onKey)
        pause()
      }
    }
  }

  return {
    epoch,
    playing,
    speed,
    epochs,
    count,
    index,
    label,
    atEnd,
    setAxis,
    set,
    setIndex,
    step,
    play,
    pause,
    toggle,
    setSpeed,
    attachKeys,
  }
})

/** Does the focused element take this key itself? Text fields, selects and other sliders take
 * arrows and space; buttons, checkboxes and radio buttons take space (they are pressed with
 * it). The time slider's own range input is marked `data-time-keys`: its keys are the store's. */
export function takesKey(target: EventTarget | null, key: 'arrow' | 'space'): boolean {
  const el = target as HTMLElement | null
  if (!el || typeof el.tagName !== 'string') return false
  if (el.dataset?.timeKeys !== undefined) return false
  if (el.isContentEditable) return true
  const tag = el.tagName.toLowerCase()
  if (tag === 'textarea' || tag === 'select') return true
  if (tag === 'button') return key === 'space'
  if (tag === 'input') {
    const type = ((el as HTMLInputElement).type || 'text').toLowerCase()
    return type === 'checkbox' || type === 'radio' || type === 'button' || type === 'submit' ? key === 'space' : true
  }
  const role = el.getAttribute('role')
  return role === 'slider' || role === 'textbox' || role === 'combobox' || (key === 'space' && role === 'button')
}
