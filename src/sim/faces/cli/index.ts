export { startCliFace } from './cli-face.js'
export type { CliFace, CliFaceOptions } from './cli-face.js'
export type { CliFaceSimulator } from './tool-io.js'
export { cliTools } from './run-tool.js'
