/**
 * Where a host may write files a request names. The desktop app writes where the user
 * chose in a native dialog. The browser host cannot ask, and any page that learns its
 * token could name any path, so it writes only inside the open project or the export
 * folder ($SGDSCOPE_EXPORT_DIR, default ~/Downloads). Symbolic links are resolved first,
 * so a link inside an allowed folder cannot lead out of it.
 */
import { fs } from './archive/file-pool'
import * as os from 'node:os'
import * as path from 'node:path'
import { badInput } from '../shared/api/errors'

export function defaultExportDir(): string {
  return process.env.SGDSCOPE_EXPORT_DIR || path.join(os.homedir(), 'Downloads')
}

/** The real path of `p`: its nearest existing ancestor resolved, the rest appended. */
async function realTarget(p: string): Promise<string> {
  let dir = path.resolve(p)
  const rest: string[] = []
  for (;;) {
    try {
      return path.join(await fs.realpath(dir), ...rest.reverse())
    } catch {
      const up = path.dirname(dir)
      if (up === dir) return path.resolve(p)
      rest.push(path.basename(dir))
      dir = up
    }
  }
}

const inside = (child: string, root: string) =>
  child === root || child.startsWith(root.endsWith(path.sep) ? root : root + path.sep)

/** Throws bad-input on `field` unless `target` lies inside one of `roots`; returns it resolved. */
export async function checkWritable(target: string, roots: string[], field: string): Promise<string> {
  const real = await realTarget(target)
  for (const root of roots) if (inside(real, await realTarget(root))) return path.resolve(target)
  throw badInput(
    field,
    `the browser host writes only inside the open project or the export folder (${roots.join(', ')}); ${target} is outside them`,
  )
}
