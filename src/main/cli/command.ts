/**
 * What every CLI command is: its summary, usage, options and action. The table of
 * commands (commands/index.ts) lists them; main.ts parses argv against it.
 */
import * as path from 'node:path'
import type { ParseArgsConfig } from 'node:util'

/** A mistake in the command line: reported with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** The parsed options of one invocation. */
export type Values = Record<string, string | boolean | string[] | undefined>

export interface Command {
  summary: string
  usage: string
  options: NonNullable<ParseArgsConfig['options']>
  run(positionals: string[], values: Values, io: Io): Promise<number>
}

export interface Io {
  out: (line: string) => void
  err: (line: string) => void
  signal: AbortSignal
}

export const DEFAULT_PROJECT = 'project.sgdscope'
export const projectOption = { project: { type: 'string', short: 'p' } } as const
/** The project folder: --project, else $SGDSCOPE_PROJECT, else ./project.sgdscope. */
export const projectDir = (v: Values): string =>
  path.resolve(String(v.project ?? process.env.SGDSCOPE_PROJECT ?? DEFAULT_PROJECT))
