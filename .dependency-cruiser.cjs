// The layering of src/ as rules (docs/ARCHITECTURE.md draws it): `npm run lint` runs
// `depcruise src`, which fails naming the rule and both files when an import crosses a
// layer the wrong way or closes a cycle. tests/lint/layers.test.ts proves each rule bites.

/** The parts of src/main that hold the science and the data; the hosts sit on top. */
const CORE = '^src/main/(engine|datasets|archive|analysis|experiments|figures)/'
const HOSTS = '^src/main/(cli|server|electron)/|^src/main/service[.]ts$'

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'shared-is-pure',
      comment: 'src/shared runs in Node and in the browser: it imports nothing from main, preload or renderer.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/(main|preload|renderer)/' },
    },
    {
      name: 'shared-has-no-node',
      comment: 'src/shared is bundled into the renderer: no Node built-ins.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-not-main',
      comment: 'The renderer talks to a host only through the API client (src/shared/api), never imports src/main.',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { path: '^src/(main|preload)/' },
    },
    {
      name: 'core-not-hosts',
      comment:
        'engine, datasets, archive, analysis, experiments and figures are used by the hosts and service.ts, ' +
        'never the other way round.',
      severity: 'error',
      from: { path: CORE },
      to: { path: HOSTS },
    },
    {
      name: 'electron-only-in-desktop-host',
      comment:
        'Only src/main/electron and src/preload import electron: the CLI, the browser host and the tests run on plain Node.',
      severity: 'error',
      from: { pathNot: '^src/main/electron/|^src/preload/' },
      to: { path: '^electron$|(^|/)node_modules/electron/' },
    },
    {
      name: 'no-cycles',
      comment: 'No import cycles anywhere in src/: every module can be read (and tested) after what it imports.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      comment:
        'No cycles between folders either (lib -> stores -> lib): a folder is a layer or a feature, ' +
        'and layers only import downwards.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/main/engine/wasm/assembly/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.vue', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
}
