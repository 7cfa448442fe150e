/**
 * The type of `window.sgdscope` in the desktop app, for the renderer:
 *   import type { SgdscopeBridge } from '../../../preload/types'
 * (type-only: nothing here exists at run time, and nothing imports electron).
 */
import type { ApiClient } from '../shared/api/contract'
import type { ApiErrorShape } from '../shared/api/errors'
import type { DesktopBridge } from '../shared/api/transport'

export interface SgdscopeBridge extends Omit<ApiClient, 'call'>, Omit<DesktopBridge, 'on'> {}

/**
 * What a failed `window.sgdscope.call` rejects with. Plain data rather than an Error,
 * because Electron's contextBridge would strip an Error's `code`.
 */
export type SgdscopeCallError = ApiErrorShape & { name: 'ApiError' }
