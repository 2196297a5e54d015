export { requestIdHeader, requestIdOf } from './request-id.js'
export { redactedPaths, rootLoggerOptions, type RootLoggerSettings } from './root-logger-options.js'
