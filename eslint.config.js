import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/*
 * The architecture of ../shared/DESIGN.md as lint rules: dependencies point one way,
 * `http → jobs → provision → {pve, images, guest} → exec/store`, `lib` imports nothing of ours,
 * and only the composition root reaches the simulator (start-simulated.ts, by dynamic import).
 * Imports are relative, so a layer is matched by its folder name after the `../` that leave
 * the importing layer.
 */
const layers = ['config', 'http', 'jobs', 'provision', 'pve', 'images', 'guest', 'store', 'exec']
const layer = (...names) => `^(\\.\\./)+(${names.join('|')})/`
const simulator = {
  regex: '^(\\.{1,2}/)+sim/',
  // type imports are erased: only a value import loads the module
  allowTypeImports: true,
  message: 'only the composition root (src/start-simulated.ts) loads the simulator',
}
const compositionRoot = {
  regex: '^(\\.\\./)+(app|create-service|run-service|main|start-[a-z-]+)\\.js$',
  message: 'the composition root wires the parts; a part never imports it',
}
/** `files` may not import the layers in `forbidden` (plus the simulator and the root). */
function layerRule(files, forbidden, message, more = []) {
  return {
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...(forbidden.length === 0 ? [] : [{ regex: layer(...forbidden), message }]),
            ...more,
            simulator,
            compositionRoot,
          ],
        },
      ],
    },
  }
}
const others = (...allowed) => layers.filter((name) => !allowed.includes(name))

const architecture = [
  layerRule(['src/lib/**/*.ts'], [...layers, 'cli'], 'lib imports nothing of ours'),
  layerRule(['src/config/**/*.ts'], others('config'), 'config imports only lib'),
  layerRule(
    ['src/exec/**/*.ts', 'src/store/**/*.ts'],
    others('exec', 'store'),
    'exec and store are the bottom layer',
  ),
  layerRule(['src/images/**/*.ts'], others('images'), 'images knows nothing above or beside it'),
  layerRule(['src/guest/**/*.ts'], others('guest', 'exec', 'images'), 'guest: SSH to VMs only'),
  layerRule(
    ['src/pve/**/*.ts'],
    others('pve', 'exec'),
    'a driver knows Proxmox, not our upper layers',
  ),
  layerRule(
    ['src/provision/**/*.ts'],
    ['config', 'http', 'jobs', 'store'],
    'provision knows nothing of HTTP, jobs or the store (its ports are its own)',
  ),
  layerRule(
    ['src/jobs/**/*.ts'],
    ['http', 'config', 'exec', 'guest', 'images'],
    'jobs sits under http',
  ),
  layerRule(
    ['src/http/**/*.ts'],
    ['config', 'exec', 'guest/(?!init-script)', 'sim'],
    'http reaches the parts through jobs and provision',
    [
      {
        // http reaches provision only through its named operations (the lifecycle index) and
        // jobs; install stages, the pipeline and the drivers are not for routes
        regex: '^(\\.\\./)+provision/(?!(lifecycle/index|install/index|errors)\\.js$)',
        allowTypeImports: true,
        message:
          'http calls provision only through its named operations (src/provision/lifecycle/index.ts, src/provision/install/index.ts) or a job; its errors are shared',
      },
      { regex: '^(\\.\\./)+pve/(drivers|read)/', message: 'http never talks to a driver' },
      {
        regex: '^(\\.\\./)+store/',
        allowTypeImports: true,
        message: 'http reaches the store through jobs',
      },
    ],
  ),
  layerRule(
    ['src/cli/**/*.ts'],
    [...layers.filter((name) => name !== 'http'), 'lib'],
    'the CLI is a client of the HTTP API',
    [
      {
        regex: '^(\\.\\./)+http/(?!schemas/)',
        message: 'the CLI uses only the API schemas (types) of http',
      },
    ],
  ),
  {
    // jobs record what happened; destroying a VM is provision's (crash recovery calls it)
    files: ['src/jobs/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'CallExpression > MemberExpression.callee[property.name=/^(destroyVm|stopVm)$/]',
          message:
            'jobs do not stop or destroy VMs themselves: call provision (e.g. removeInterruptedInstall)',
        },
      ],
    },
  },
  {
    // the root's files import each other (create-service → start-cluster → start-simulated)
    files: ['src/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [simulator] }],
    },
  },
  {
    // the composition root and the simulator itself may load the simulator
    files: ['src/start-simulated.ts', 'src/sim/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
]

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'data/', 'coverage/', 'web/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // stages and routes implement async interfaces; some have nothing to await
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  ...architecture,
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
)
