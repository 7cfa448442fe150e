/**
 * A second process changing the settings (tests/main/settings.test.ts): waits for "go" on
 * stdin, then makes all its changes at once and prints the settings it ends with.
 * Arguments: DIR LABEL RECENT_COUNT [PATCH_JSON ...]
 */
import { FileSettingsStore } from '../../src/main/settings'

const [dir, label, count, ...patches] = process.argv.slice(2)
const store = new FileSettingsStore(dir, { maxRecent: 100 })
process.stdout.write('ready\n')
async function changeAll(): Promise<void> {
  const changes: Promise<unknown>[] = []
  for (let i = 0; i < Number(count); i++) changes.push(store.addRecent(`/${label}/${i}.sgdscope`))
  for (const p of patches) changes.push(store.update(JSON.parse(p) as object))
  await Promise.all(changes)
  process.stdout.write(`done ${JSON.stringify(await store.settings())}\n`)
  process.exit(0)
}
process.stdin.once('data', () => {
  changeAll().catch((e: unknown) => {
    process.stderr.write(`settings-child: ${String(e)}\n`)
    process.exit(1)
  })
})
