// `npm run setup:native`: the native TensorFlow backend (@tensorflow/tfjs-node) without
// internet. tfjs-node's own install script downloads libtensorflow from Google's storage;
// where that cannot happen, npm drops the optional package. This script instead takes the
// `tensorflow-cpu` wheel from pip's configured index (no other network), extracts its C
// library (libtensorflow_cc.so.2, which exports the TF/TFE C API the binding calls),
// libtensorflow_framework.so.2 and the C headers the binding includes into tfjs-node's
// `deps/`, under the names its build expects, and builds the binding with node-gyp.
//
// Idempotent: a binding that already loads is left alone (so where npm could download
// libtensorflow itself, nothing changes). The extraction (about 850 MB) and the built
// addon are cached by the wheel's SHA-256 under $XDG_CACHE_HOME/sgdscope/native (default
// ~/.cache/sgdscope/native), so a second run, even in a clean clone, takes seconds.
//
//   node scripts/setup-native.js            set up (or confirm) the native backend
//   node scripts/setup-native.js --check DIR  check an installed layout (DIR: tfjs-node's folder)
//
// Environment: SGDSCOPE_NATIVE_WHEEL (pip requirement, default tensorflow-cpu==2.21.0).
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(path.join(ROOT, 'package.json'))
const PKG = '@tensorflow/tfjs-node'
const WHEEL = process.env.SGDSCOPE_NATIVE_WHEEL || 'tensorflow-cpu==2.21.0'
// tfjs-node's install script looks for this file to decide the library is there.
const TFJS_LIB_VERSION = '2.9.1'

/**
 * What tfjs-node's folder must hold for its binding to build and load: the library under
 * its real soname (the addon records it), the names the linker (-ltensorflow…) and
 * tfjs-node's install script look for, and the two C API headers.
 */
const LAYOUT = [
  'deps/lib/libtensorflow_cc.so.2',
  'deps/lib/libtensorflow_framework.so.2',
  `deps/lib/libtensorflow.so.${TFJS_LIB_VERSION}`,
  'deps/lib/libtensorflow.so',
  'deps/lib/libtensorflow_framework.so',
  'deps/include/tensorflow/c/c_api.h',
  'deps/include/tensorflow/c/eager/c_api.h',
]

const SETUP_HINT = 'Run `npm run setup:native` to (re)install it from the TensorFlow wheel.'

class SetupError extends Error {}

const fail = (msg) => {
  throw new SetupError(msg)
}

/** The entries of LAYOUT missing under `dir` (a link to a missing file counts as missing). */
function missingFromLayout(dir) {
  return LAYOUT.filter((rel) => !fs.existsSync(path.join(dir, rel)))
}

function checkLayout(dir) {
  const missing = missingFromLayout(dir)
  if (missing.length > 0)
    fail(`${PKG} in ${dir} lacks ${missing.join(', ')} (the TensorFlow library it builds against). ${SETUP_HINT}`)
}

function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache')
  return path.join(base, 'sgdscope', 'native')
}

let stepStart = 0
function step(what) {
  stepStart = performance.now()
  process.stdout.write(`setup:native: ${what} … `)
}
function done(note = 'done') {
  process.stdout.write(`${note} (${((performance.now() - stepStart) / 1000).toFixed(1)} s)\n`)
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts })
  if (r.error && r.error.code === 'ENOENT') return { missing: true, status: -1, stdout: '', stderr: '' }
  return { missing: false, status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' }
}

const lastLines = (text, n = 15) => text.trim().split('\n').slice(-n).join('\n')
/** The line of a Node error report that says what went wrong. */
const errorLine = (text) =>
  text
    .split('\n')
    .find((l) => /^\w*Error\b/.test(l.trim()))
    ?.trim() ?? lastLines(text, 1)

function tfjsNodeDir() {
  try {
    return path.dirname(require.resolve(`${PKG}/package.json`))
  } catch {
    return null
  }
}

/** Loads tfjs-node in a child process (a broken addon must not take this one down). */
function probeBinding() {
  const code = `const tf = require(${JSON.stringify(PKG)}); process.stdout.write(tf.getBackend())`
  const r = run(process.execPath, ['-e', code], { cwd: ROOT })
  return r.status === 0 && r.stdout.trim() === 'tensorflow'
    ? { ok: true }
    : { ok: false, why: errorLine(r.stderr) || `backend ${r.stdout.trim() || 'unknown'}` }
}

function installPackage() {
  const spec = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).optionalDependencies?.[PKG]
  step(`installing ${PKG}@${spec} (npm dropped it: its own install script needs internet)`)
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const r = run(npm, ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `${PKG}@${spec}`], {
    cwd: ROOT,
  })
  if (r.status !== 0) fail(`npm could not install ${PKG}@${spec}:\n${lastLines(r.stderr)}`)
  done()
  const dir = tfjsNodeDir()
  if (!dir) fail(`npm reported success but ${PKG} still cannot be resolved from ${ROOT}`)
  return dir
}

function sha256(file) {
  // Memoised beside the wheel by size and mtime: hashing 274 MB is the slow part of a cached run.
  const st = fs.statSync(file)
  const memo = `${file}.sha256`
  const stamp = `${st.size}:${st.mtimeMs}`
  try {
    const [s, h] = fs.readFileSync(memo, 'utf8').trim().split(' ')
    if (s === stamp && /^[0-9a-f]{64}$/.test(h)) return h
  } catch {
    // not memoised yet
  }
  const h = createHash('sha256')
  const fd = fs.openSync(file, 'r')
  const buf = Buffer.alloc(8 << 20)
  for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n))
  fs.closeSync(fd)
  const hex = h.digest('hex')
  fs.writeFileSync(memo, `${stamp} ${hex}\n`)
  return hex
}

function wheelsIn(dir) {
  const name = WHEEL.split('==')[0].replace(/-/g, '_')
  const version = WHEEL.split('==')[1]
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.whl') && f.startsWith(`${name}-${version ?? ''}`))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)
}

function fetchWheel(cache) {
  const dir = path.join(cache, 'wheels')
  const cached = WHEEL.includes('==') ? wheelsIn(dir) : []
  if (cached.length > 0) {
    step(`hashing the cached ${path.basename(cached[0])}`)
    const hash = sha256(cached[0])
    done(hash.slice(0, 12))
    return { wheel: cached[0], hash }
  }
  step(`checking python3 and pip`)
  const py = run('python3', ['-m', 'pip', '--version'])
  if (py.missing) fail('python3 is not on the PATH; the TensorFlow wheel comes from pip. Install Python 3 and pip.')
  if (py.status !== 0)
    fail(`python3 has no working pip (${lastLines(py.stderr, 1)}); install it (e.g. apt-get install python3-pip).`)
  done(py.stdout.trim().split(' ').slice(0, 2).join(' '))
  fs.mkdirSync(dir, { recursive: true })
  step(`fetching ${WHEEL} from pip's configured index`)
  // pip's own configuration (index-url, extra-index-url, find-links) decides where from.
  const args = ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check']
  const r = run('python3', [...args, '-d', dir, WHEEL])
  if (r.status !== 0)
    fail(
      `pip could not download ${WHEEL} from its configured index:\n${lastLines(r.stderr, 6)}\n` +
        'Configure an index that has it (pip config list), set SGDSCOPE_NATIVE_WHEEL to another ' +
        'tensorflow-cpu version, or install with internet access (npm then downloads libtensorflow itself).',
    )
  const wheels = wheelsIn(dir)
  if (wheels.length === 0) fail(`pip reported success but no ${WHEEL} wheel is in ${dir}`)
  done(path.basename(wheels[0]))
  step('hashing the wheel')
  const hash = sha256(wheels[0])
  done(hash.slice(0, 12))
  return { wheel: wheels[0], hash }
}

// Extracts the two libraries and the headers the binding includes (transitively, as far as
// they are in the wheel) into OUT/lib and OUT/include. Python's zipfile streams members;
// reading a 788 MB member into Node's memory would not be kind.
const EXTRACT_PY = `
import os, re, shutil, sys, zipfile
wheel, out, binding = sys.argv[1:4]
z = zipfile.ZipFile(wheel)
names = set(z.namelist())
def copy(member, dest):
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with z.open(member) as src, open(dest, 'wb') as dst:
        shutil.copyfileobj(src, dst, 8 << 20)
for lib in ('libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'):
    m = 'tensorflow/' + lib
    if m not in names:
        sys.exit('the wheel has no ' + m + ' (not a Linux tensorflow-cpu 2.x wheel?)')
    copy(m, os.path.join(out, 'lib', lib))
inc = re.compile(rb'^\\s*#\\s*include\\s*[<"]([^>"]+)[>"]', re.M)
todo = []
for f in os.listdir(binding):
    with open(os.path.join(binding, f), 'rb') as fh:
        todo += inc.findall(fh.read())
seen = set()
while todo:
    h = todo.pop().decode()
    m = 'tensorflow/include/' + h
    if h in seen or m not in names:
        continue
    seen.add(h)
    data = z.read(m)
    dest = os.path.join(out, 'include', h)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, 'wb') as fh:
        fh.write(data)
    todo += inc.findall(data)
for h in ('tensorflow/c/c_api.h', 'tensorflow/c/eager/c_api.h'):
    if h not in seen:
        sys.exit('the wheel has no header ' + h)
print(len(seen))
`

function extract(cache, wheel, hash, binding) {
  const dest = path.join(cache, hash)
  if (fs.existsSync(path.join(dest, 'complete'))) {
    process.stdout.write(`setup:native: libraries and headers cached in ${dest}\n`)
    return dest
  }
  step(`extracting libtensorflow and its C headers to ${dest} (about 850 MB, once)`)
  const tmp = `${dest}.partial-${process.pid}`
  fs.rmSync(tmp, { recursive: true, force: true })
  const r = run('python3', ['-c', EXTRACT_PY, wheel, tmp, binding])
  if (r.status !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true })
    fail(`could not extract ${path.basename(wheel)}: ${lastLines(r.stderr, 3)}`)
  }
  fs.writeFileSync(path.join(tmp, 'complete'), `${path.basename(wheel)}\n`)
  fs.rmSync(dest, { recursive: true, force: true })
  fs.renameSync(tmp, dest)
  done(`${r.stdout.trim()} headers`)
  return dest
}

/** Hard link (same file system: no copy, no dangling link), else copy. */
function linkOrCopy(from, to) {
  fs.rmSync(to, { force: true, recursive: true })
  try {
    fs.linkSync(from, to)
  } catch {
    fs.copyFileSync(from, to)
  }
}

function copyTree(from, to) {
  fs.mkdirSync(to, { recursive: true })
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const [a, b] = [path.join(from, e.name), path.join(to, e.name)]
    if (e.isDirectory()) copyTree(a, b)
    else linkOrCopy(a, b)
  }
}

function stageDeps(extracted, pkgDir) {
  step(`placing the libraries in ${path.join(pkgDir, 'deps')}`)
  const lib = path.join(pkgDir, 'deps', 'lib')
  fs.rmSync(path.join(pkgDir, 'deps'), { recursive: true, force: true })
  fs.mkdirSync(lib, { recursive: true })
  for (const f of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'])
    linkOrCopy(path.join(extracted, 'lib', f), path.join(lib, f))
  // Relative symbolic links: the names the linker and tfjs-node's scripts look for.
  const links = {
    [`libtensorflow.so.${TFJS_LIB_VERSION}`]: 'libtensorflow_cc.so.2',
    'libtensorflow.so': 'libtensorflow_cc.so.2',
    [`libtensorflow_framework.so.${TFJS_LIB_VERSION}`]: 'libtensorflow_framework.so.2',
    'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
  }
  for (const [name, target] of Object.entries(links)) fs.symlinkSync(target, path.join(lib, name))
  copyTree(path.join(extracted, 'include'), path.join(pkgDir, 'deps', 'include'))
  done()
}

/** The addon's path, as node-pre-gyp will look for it (lib/napi-v8/tfjs_binding.node here). */
function addonPath(pkgDir) {
  const binary = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).binary
  const napi = Math.max(...binary.napi_versions.filter((v) => v <= Number(process.versions.napi)))
  const dir = binary.module_path.replace('{napi_build_version}', String(napi))
  return path.join(pkgDir, dir, `${binary.module_name}.node`)
}

function nodeHeadersDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir
  // Distribution builds of Node (Debian's, nvm's, the official tarballs) ship their headers
  // in <prefix>/include/node; node-gyp would otherwise download them.
  const prefix = path.resolve(path.dirname(process.execPath), '..')
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null
}

function build(pkgDir, cachedAddon) {
  const addon = addonPath(pkgDir)
  if (fs.existsSync(cachedAddon)) {
    step('restoring the built binding from the cache')
    fs.mkdirSync(path.dirname(addon), { recursive: true })
    fs.copyFileSync(cachedAddon, addon)
    done()
    return
  }
  step('checking for a C++ compiler, make and Node headers')
  const cxx = process.env.CXX || 'c++'
  if (run(cxx, ['--version']).missing)
    fail(`no C++ compiler (${cxx}) on the PATH; install one (e.g. apt-get install g++ make) and run again.`)
  if (run('make', ['--version']).missing) fail('make is not on the PATH; install it (e.g. apt-get install make).')
  const nodedir = nodeHeadersDir()
  if (!nodedir)
    fail(
      `Node's headers (include/node/node_api.h) are not beside ${process.execPath}; ` +
        'set npm_config_nodedir to a folder holding include/node (node-gyp cannot download them offline).',
    )
  done(`${cxx}, headers in ${nodedir}`)
  step(`building the binding (node-gyp, ${PKG})`)
  const bin = path.join(ROOT, 'node_modules', '.bin')
  const gyp = path.join(bin, process.platform === 'win32' ? 'node-pre-gyp.cmd' : 'node-pre-gyp')
  if (!fs.existsSync(gyp)) fail(`node-pre-gyp is missing from ${bin} (it comes with ${PKG}); reinstall ${PKG}.`)
  // --build-from-source: the prebuilt addon is for libtensorflow 2.9.1, and its download needs internet.
  const r = run(gyp, ['install', '--build-from-source'], {
    cwd: pkgDir,
    env: { ...process.env, npm_config_nodedir: nodedir, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
  })
  if (r.status !== 0 || !fs.existsSync(addon)) fail(`the binding did not build:\n${lastLines(r.stdout + r.stderr, 20)}`)
  fs.mkdirSync(path.dirname(cachedAddon), { recursive: true })
  fs.copyFileSync(addon, `${cachedAddon}.tmp`)
  fs.renameSync(`${cachedAddon}.tmp`, cachedAddon)
  done()
}

function main() {
  const t0 = performance.now()
  const argv = process.argv.slice(2)
  if (argv[0] === '--check') {
    checkLayout(path.resolve(argv[1] ?? tfjsNodeDir() ?? fail(`${PKG} is not installed`)))
    process.stdout.write('setup:native: layout complete\n')
    return
  }
  let pkgDir = tfjsNodeDir()
  if (pkgDir && !argv.includes('--force')) {
    step(`checking whether ${PKG} already loads`)
    const p = probeBinding()
    if (p.ok) {
      done('yes: the native backend is ready')
      return
    }
    done(`no (${p.why.split('\n').pop()})`)
  }
  if (process.platform !== 'linux' || process.arch !== 'x64')
    fail(
      `the offline set-up takes Linux x86-64 libraries from the tensorflow-cpu wheel; on ${process.platform}-` +
        `${process.arch} install ${PKG} with internet access (its install script downloads libtensorflow).`,
    )
  pkgDir ??= installPackage()
  const cache = cacheRoot()
  const { wheel, hash } = fetchWheel(cache)
  const extracted = extract(cache, wheel, hash, path.join(pkgDir, 'binding'))
  stageDeps(extracted, pkgDir)
  checkLayout(pkgDir)
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version
  build(pkgDir, path.join(extracted, 'addon', `tfjs-node-${version}-napi${process.versions.napi}`, 'tfjs_binding.node'))
  step(`loading ${PKG}`)
  const p = probeBinding()
  if (!p.ok) fail(`the binding built but does not load:\n${p.why}`)
  done('backend tensorflow')
  process.stdout.write(`setup:native: ready in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`)
}

try {
  main()
} catch (e) {
  if (stepStart) process.stdout.write('failed\n')
  process.stderr.write(`setup:native: ${e instanceof SetupError ? e.message : (e?.stack ?? e)}\n`)
  process.exit(1)
}
