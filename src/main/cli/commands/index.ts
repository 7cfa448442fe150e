/**
 * The table of CLI commands: name → the command (its file in this folder). main.ts parses
 * argv against it and `sgdscope --help` lists it in this order, so a new command is one
 * file here and one line below.
 */
import type { Command } from '../command'
import { barrierCommand } from './barrier'
import { distancesCommand } from './distances'
import { embedCommand } from './embed'
import { evaluateCheckpointsCommand } from './evaluate-checkpoints'
import { figureCommand } from './figure'
import { importCommand } from './import'
import { infoCommand } from './info'
import { listCommand } from './list'
import { mphateCommand } from './mphate'
import { pathDistancesCommand } from './path-distances'
import { presetsCommand } from './presets'
import { renameCommand } from './rename'
import { reproduceCommand } from './reproduce'
import { resumeCommand } from './resume'
import { runCommand } from './run'
import { serveCommand } from './serve'
import { spawnCommand } from './spawn'
import { stabilityCommand } from './stability'
import { statusCommand } from './status'
import { subproblemsCommand } from './subproblems'
import { upgradeCommand } from './upgrade'

export { DEFAULT_PROJECT, UsageError, type Command, type Io, type Values } from '../command'

export const COMMANDS: Record<string, Command> = {
  run: runCommand,
  presets: presetsCommand,
  resume: resumeCommand,
  list: listCommand,
  info: infoCommand,
  rename: renameCommand,
  spawn: spawnCommand,
  stability: stabilityCommand,
  embed: embedCommand,
  figure: figureCommand,
  reproduce: reproduceCommand,
  serve: serveCommand,
  subproblems: subproblemsCommand,
  barrier: barrierCommand,
  distances: distancesCommand,
  mphate: mphateCommand,
  'path-distances': pathDistancesCommand,
  status: statusCommand,
  upgrade: upgradeCommand,
  import: importCommand,
  'evaluate-checkpoints': evaluateCheckpointsCommand,
}
