import { ConfigError, parseConfig } from '../../src/config/index.js'

/** The problems a configuration load reports, or [] when it succeeds. */
export function problemsOf(load: () => unknown): readonly string[] {
  try {
    load()
    return []
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
}

/** The problems these environment variables produce, or [] when they parse. */
export function parseProblems(vars: Record<string, string>): readonly string[] {
  return problemsOf(() => parseConfig(vars))
}
