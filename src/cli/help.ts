import { commands, type Command } from './commands/index.js'
import { defaultServiceUrl } from './env.js'
import { exitCodeHelp } from './errors.js'

/** The general help: every command with its summary, the global flags and the environment. */
export function generalHelp(): string[] {
  const width = Math.max(...commands.map((command) => command.name.length))
  return [
    'pve-qemu — install, watch and manage VMs through the pve-qemu service',
    '',
    'usage: pve-qemu <command> [arguments] [flags]',
    '',
    'commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'flags of every command:',
    '  --json         machine-readable output (one JSON value, or one event per line)',
    `  --url URL      the service (default $PVE_QEMU_URL, else ${defaultServiceUrl})`,
    '  --token TOKEN  API token (default $PVE_QEMU_TOKEN)',
    '  -h, --help     help of a command',
    '',
    "Output is plain when stdout is not a terminal; --json prints the API's own fields",
    '(snake_case). Job ids may be shortened to a unique prefix (at least 4 characters).',
    '',
    'exit status:',
    ...exitCodeHelp.map((line) => `  ${line}`),
    '',
    'pve-qemu help <command> tells more.',
  ]
}

export function commandHelp(command: Command): string[] {
  return [
    `usage: ${command.usage}`,
    '',
    command.summary,
    ...(command.details === undefined ? [] : ['', ...command.details]),
  ]
}
