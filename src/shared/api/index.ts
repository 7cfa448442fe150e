/**
 * The one API module: requests and events with their schemas (contract.ts), the closed set
 * of typed errors (errors.ts) and the wire formats of both hosts (transport.ts).
 */
export * from './contract'
export * from './errors'
export * from './transport'
