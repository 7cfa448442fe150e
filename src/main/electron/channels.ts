/**
 * The two IPC channels between the desktop host and the preload, and the reply shape.
 * No imports with runtime values: the sandboxed preload bundles this file, and a
 * sandboxed preload can require nothing but 'electron'.
 */
import type { ApiErrorShape } from '../../shared/api/contract'

/** renderer → main: ipcRenderer.invoke(CALL_CHANNEL, name, args) → CallReply */
export const CALL_CHANNEL = 'sgdscope:call'
/** main → renderer: webContents.send(EVENT_CHANNEL, eventName, payload) */
export const EVENT_CHANNEL = 'sgdscope:event'

/** Every reply is plain data, so nothing depends on how Electron serialises errors. */
export type CallReply = { ok: true; result: unknown } | { ok: false; error: ApiErrorShape }
