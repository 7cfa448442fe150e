#!/usr/bin/env node
/**
 * Fails the build when the renderer's initial JavaScript (the entry and every chunk it
 * imports statically, i.e. what loads before the first screen) exceeds the budget.
 * Screens and ECharts are loaded lazily; a static import of one of them from the shell
 * shows up here.
 *
 *   node scripts/check-bundle.js [out/renderer] [--budget-kb 600]
 */
import { readFileSync, statSync } from 'node:fs'
import * as path from 'node:path'

const args = process.argv.slice(2)
const budgetAt = args.indexOf('--budget-kb')
const budgetKb = budgetAt >= 0 ? Number(args[budgetAt + 1]) : 600
const dir = path.resolve(args.find((a, i) => !a.startsWith('--') && i !== budgetAt + 1) ?? 'out/renderer')
if (!Number.isFinite(budgetKb) || budgetKb <= 0) {
  console.error(`check-bundle: --budget-kb must be a positive number of kB, got ${args[budgetAt + 1]}`)
  process.exit(2)
}

let html
try {
  html = readFileSync(path.join(dir, 'index.html'), 'utf8')
} catch {
  console.error(`check-bundle: ${path.join(dir, 'index.html')} is missing; run \`npx electron-vite build\` first`)
  process.exit(2)
}

/** Chunks the page loads up front: the entry script and the modules vite preloads with it. */
const initial = [
  ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
  ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
].map((m) => path.join(dir, m[1]))

// Follow static imports too (`from"./x.js"`, `import"./x.js"`), never dynamic `import("./x.js")`.
const seen = new Set()
const queue = [...initial]
while (queue.length) {
  const file = queue.pop()
  if (seen.has(file)) continue
  seen.add(file)
  const code = readFileSync(file, 'utf8')
  for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*)["'](\.{1,2}\/[^"']+\.js)["']/g)) {
    queue.push(path.resolve(path.dirname(file), m[1]))
  }
}

const sizes = [...seen]
  .map((f) => ({ file: path.relative(dir, f), bytes: statSync(f).size }))
  .sort((a, b) => b.bytes - a.bytes)
const total = sizes.reduce((n, s) => n + s.bytes, 0)
const kb = (b) => `${(b / 1000).toFixed(2)} kB`
for (const s of sizes) console.log(`  ${s.file.padEnd(48)} ${kb(s.bytes).padStart(12)}`)
console.log(`initial renderer JavaScript: ${kb(total)} (budget ${budgetKb} kB)`)
if (total > budgetKb * 1000) {
  console.error(
    `check-bundle: the initial renderer chunk is ${kb(total)}, over the budget of ${budgetKb} kB; ` +
      'load the screen or library that grew it lazily (app/screens.ts)',
  )
  process.exit(1)
}
