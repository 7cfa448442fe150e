/** Versions recorded in every run, so a figure can be traced to the code that made it. */
import pkg from '../../package.json'

export const SGDSCOPE_VERSION: string = pkg.version

export function runtimeVersions(): Record<string, string> {
  const v: Record<string, string> = { sgdscope: SGDSCOPE_VERSION, node: process.versions.node }
  if (process.versions.electron) v.electron = process.versions.electron
  return v
}
