/**
 * The only place the CLI reads the environment. Everything else gets these values passed in.
 */
export interface CliEnvironment {
  /** `PVE_QEMU_URL`: the service's base URL */
  url: string | undefined
  /** `PVE_QEMU_TOKEN`: an API token, sent as `Authorization: Bearer` */
  token: string | undefined
  /** `NO_COLOR` set to anything: no colours even on a terminal */
  noColor: boolean
}

export const defaultServiceUrl = 'http://127.0.0.1:8080'

export function readEnvironment(): CliEnvironment {
  const env = process.env
  return {
    url: nonEmpty(env.PVE_QEMU_URL),
    token: nonEmpty(env.PVE_QEMU_TOKEN),
    noColor: env.NO_COLOR !== undefined && env.NO_COLOR !== '',
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}
