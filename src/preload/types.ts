/**
 * The type of `window.sgdscope` in the desktop app, for the renderer:
 *   import type { SgdscopeBridge } from '../../../preload/types'
 * (type-only: nothing here exists at run time, and nothing imports electron).
 */
import type { ApiClient, ApiErrorShape } from '../shared/api/contract'

export interface SgdscopeBridge extends ApiClient {
  readonly host: 'electron'
}

/**
 * What a failed `window.sgdscope.call` rejects with. Plain data rather than an Error,
 * because Electron's contextBridge would strip an Error's `code` (electron/electron#25596).
 */
export interface SgdscopeCallError extends ApiErrorShape {
  name: 'ApiError'
}
