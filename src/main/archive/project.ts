/**
 * A project is a folder NAME.sgdscope/ holding project.json (name, runs, saved views,
 * comparisons, figure styles) and runs/RUN_ID/, one Zarr group per run (docs/ARCHITECTURE.md).
 */
import { jsonProblem } from '../../shared/json-problem'
import { fs } from './file-pool'
import * as path from 'node:path'
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { writeJsonAtomic } from './atomic'
import { RunArchive } from './run'
import {
  AmbiguousRunError,
  ArchiveError,
  ArchiveExistsError,
  ForeignFolderError,
  InvalidRunIdError,
  MissingArchiveError,
  NewerFormatError,
  UnknownRunError,
} from './errors'

export const PROJECT_FORMAT = 1
export const PROJECT_EXT = '.sgdscope'
/** Held while a process creates a project. */
const CLAIM = 'project.json.creating'

export const ProjectFile = z.object({
  sgdscope: z.object({ kind: z.literal('project'), format: z.number().int() }),
  name: z.string(),
  created: z.string(),
  runs: z.array(z.object({ id: z.string(), name: z.string().optional(), created: z.string() })),
  views: z.array(z.record(z.string(), z.unknown())).default([]),
  comparisons: z.array(z.record(z.string(), z.unknown())).default([]),
  styles: z.record(z.string(), z.unknown()).default({}),
})
export type ProjectFile = z.infer<typeof ProjectFile>

export class Project {
  private constructor(
    readonly dir: string,
    public file: ProjectFile,
  ) {}

  get name(): string {
    return this.file.name
  }

  get projectJson(): string {
    return path.join(this.dir, 'project.json')
  }

  runDir(id: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(id) || id.startsWith('.'))
      throw new InvalidRunIdError(`"${id}" is not a valid run id`, id)
    return path.join(this.dir, 'runs', id)
  }

  /** Opens the project at dir, creating it if missing. Several processes may race to
   * create it (e.g. shards): one claims it, the others wait for it and open it. */
  static async openOrCreate(dir: string): Promise<Project> {
    const deadline = Date.now() + 10_000
    for (;;) {
      try {
        await fs.access(path.join(dir, 'project.json'))
        return await Project.open(dir)
      } catch (e) {
        if (e instanceof ArchiveError) throw e
      }
      try {
        return await Project.create(dir)
      } catch (e) {
        // Another process created it (or is creating it) since our look: open it next time round.
        if (!(e instanceof ArchiveExistsError)) throw e
      }
      // A creator killed between its claim and project.json leaves a stale claim.
      if (Date.now() > deadline) await fs.rm(path.join(dir, CLAIM), { force: true })
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  static async create(dir: string): Promise<Project> {
    try {
      await fs.access(path.join(dir, 'project.json'))
      throw new ArchiveExistsError(`${dir} already holds a project`, dir)
    } catch (e) {
      if (e instanceof ArchiveError) throw e
    }
    // Never scatter a project into someone's folder: only a new or empty one (or one a
    // concurrent creator of this project has just begun) becomes a project.
    // project.json.* covers the claim and another creator's temporary file before its rename.
    const ours = (n: string) => n === 'runs' || n.startsWith('project.json') || n === '.DS_Store'
    const foreign = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => !ours(n))
    if (foreign.length) {
      const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? `, … (${foreign.length} entries)` : '')
      throw new ForeignFolderError(
        `${dir} is not empty and is not an sgdscope project (it holds ${shown}): choose a new or empty folder`,
        dir,
        foreign.slice(0, 20),
      )
    }
    await fs.mkdir(path.join(dir, 'runs'), { recursive: true })
    // Claim project.json exclusively, so that of two processes creating the same
    // project at once exactly one writes it.
    try {
      await fs.writeFile(path.join(dir, CLAIM), String(process.pid), { flag: 'wx' })
    } catch {
      throw new ArchiveExistsError(`${dir} already holds a project (being created by another process)`, dir)
    }
    const name = path.basename(dir).replace(/\.sgdscope$/, '')
    const file: ProjectFile = {
      sgdscope: { kind: 'project', format: PROJECT_FORMAT },
      name,
      created: new Date().toISOString(),
      runs: [],
      views: [],
      comparisons: [],
      styles: {},
    }
    const p = new Project(dir, file)
    await p.save()
    await fs.rm(path.join(dir, CLAIM), { force: true })
    return p
  }

  static async open(dir: string): Promise<Project> {
    const file = path.join(dir, 'project.json')
    let text: string
    try {
      text = await fs.readFile(file, 'utf8')
    } catch {
      throw new MissingArchiveError(`${dir} is not an sgdscope project: ${file} is missing`, 'project', dir)
    }
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch (e) {
      throw new ArchiveError(`${file} is not valid JSON (${jsonProblem(e)})`, file)
    }
    const fmt = (raw as { sgdscope?: { format?: unknown } })?.sgdscope?.format
    if (typeof fmt === 'number' && fmt > PROJECT_FORMAT)
      throw new NewerFormatError(
        `${dir} was written by a newer sgdscope (project format ${fmt}, this version reads up to ${PROJECT_FORMAT}); update sgdscope to open it`,
        'project',
        dir,
        fmt,
        PROJECT_FORMAT,
      )
    const parsed = ProjectFile.safeParse(raw)
    if (!parsed.success)
      throw new ArchiveError(
        `${file} is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
        file,
      )
    return new Project(dir, parsed.data)
  }

  async save(): Promise<void> {
    await writeJsonAtomic(this.projectJson, this.file)
  }

  /** A new, readable, unique run id: date-time, label, random suffix. */
  newRunId(label = 'run'): string {
    const t = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
    const slug =
      label
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 24) || 'run'
    return `${t}-${slug}-${randomBytes(2).toString('hex')}`
  }

  async addRun(id: string, name?: string): Promise<void> {
    if (this.file.runs.some((r) => r.id === id)) return
    this.file.runs.push({ id, ...(name ? { name } : {}), created: new Date().toISOString() })
    await this.save()
  }

  /** Ids of every run: those listed in project.json, then any found in runs/ (e.g.
   * created by a shard on another machine). */
  async runIds(): Promise<string[]> {
    const ids = this.file.runs.map((r) => r.id)
    let entries: string[] = []
    try {
      entries = await fs.readdir(path.join(this.dir, 'runs'))
    } catch {
      /* no runs yet */
    }
    for (const e of entries.sort()) if (!ids.includes(e) && !e.startsWith('.')) ids.push(e)
    return ids
  }

  async openRun(id: string): Promise<RunArchive> {
    return RunArchive.open(this.runDir(id))
  }

  /** Resolves a run given by id, unique id prefix, or 1-based index in the list. */
  async resolveRunId(ref: string): Promise<string> {
    const ids = await this.runIds()
    if (ids.includes(ref)) return ref
    if (/^\d+$/.test(ref) && +ref >= 1 && +ref <= ids.length) return ids[+ref - 1]
    const matches = ids.filter((id) => id.startsWith(ref) || id.includes(ref))
    if (matches.length === 1) return matches[0]
    if (matches.length === 0)
      throw new UnknownRunError(`no run "${ref}" in ${this.dir} (${ids.length} runs; see \`sgdscope list\`)`, ref)
    throw new AmbiguousRunError(`"${ref}" matches ${matches.length} runs: ${matches.join(', ')}`, ref, matches)
  }
}
