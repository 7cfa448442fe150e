/**
 * The page's one API client (Electron bridge or the browser host's WebSocket), shared
 * by the stores and the views, so that every request and event goes through one
 * connection.
 */
import { createClient, RequestError } from '../api/client'

export type Api = ReturnType<typeof createClient>

let client: Api | null = null

export function api(): Api {
  client ??= createClient()
  return client
}

export { RequestError }

/** A request failed because the host went away (not because the request was wrong). */
export function isConnectionError(e: unknown): boolean {
  return e instanceof RequestError && e.code === 'unavailable'
}

/** A readable message of anything thrown. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message
  return String(e)
}
