/**
 * Errors of the beyond-the-paper analyses as the contract's typed errors, so that every host
 * reports them alike: a request the run cannot answer as asked (a network it does not have,
 * a snapshot without weights) is `bad-input` on that argument; a run the analysis does not
 * apply to (no kept weights, the stochastic model) a `conflict`. The CLI prints their message.
 */
import { ApiError, badInput } from '../../../shared/api/errors'

/** `path`: the argument at fault ("nets", "snapshot", "pairs", "count"). */
export const badRequest = (path: string, message: string): ApiError<'bad-input'> => badInput(path, message)
export const conflict = (message: string, run?: string): ApiError<'conflict'> =>
  new ApiError('conflict', message, { reason: 'not-applicable', ...(run ? { run } : {}) })
