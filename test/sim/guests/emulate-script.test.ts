import { describe, expect, it } from 'vitest'

import {
  renderInitScript,
  withPasswordHashes,
  withRootPasswordHash,
} from '../../../src/guest/init-script.js'
import { osCatalog } from '../../../src/images/os-catalog.js'
import { emulateScript } from '../../../src/sim/guests/emulate-script.js'

describe('emulateScript', () => {
  it.each(osCatalog.map((release) => [`${release.os} ${release.version}`, release] as const))(
    'plays the progress of the %s init script',
    (_name, release) => {
      const script = renderInitScript(release, { timezone: 'Europe/Berlin' })
      const packages =
        release.packages === 'apt'
          ? 'qemu-guest-agent curl ca-certificates htop'
          : 'qemu-guest-agent curl ca-certificates'
      expect(emulateScript(script)).toEqual({
        lines: [
          { stream: 'stdout', text: 'waiting for cloud-init to finish' },
          { stream: 'stdout', text: `installing: ${packages}` },
          { stream: 'stdout', text: 'starting qemu-guest-agent' },
          { stream: 'stdout', text: 'setting the time zone to Europe/Berlin' },
          { stream: 'stdout', text: 'first-boot setup finished' },
        ],
        exitCode: 0,
        passwords: {},
      })
    },
  )

  it('sets the root password only when a hash was handed over, without printing it', () => {
    const release = osCatalog[0]
    if (release === undefined) throw new Error('empty catalog')
    const script = withRootPasswordHash(
      renderInitScript(release, { timezone: 'UTC' }),
      '$6$saltsalt$secrethash',
    )
    const { lines } = emulateScript(script)
    expect(lines.map((line) => line.text)).toContain('setting the root password')
    expect(JSON.stringify(lines)).not.toContain('secrethash')
  })

  it('records the hashes chpasswd -e got for the user and root, printing none of them', () => {
    const release = osCatalog[0]
    if (release === undefined) throw new Error('empty catalog')
    const script = withPasswordHashes(renderInitScript(release, { timezone: 'UTC' }), {
      user: { name: 'debian', hash: '$6$salt$userhash' },
      root: '$6$salt$roothash',
    })
    const { lines, passwords } = emulateScript(script)
    expect(passwords).toEqual({ debian: '$6$salt$userhash', root: '$6$salt$roothash' })
    expect(lines.map((line) => line.text)).toContain('setting the password of debian')
    expect(JSON.stringify(lines)).not.toMatch(/userhash|roothash/)
  })

  it('follows if/elif/else, for loops, exit codes and stderr redirections', () => {
    const script = [
      'set -eu',
      'NAME="world"',
      'EMPTY=',
      'if [ -z "$EMPTY" ]; then',
      '  say "hello $NAME"',
      'else',
      "  say 'not printed'",
      'fi',
      'if [ "$NAME" = mars ]; then',
      "  say 'not printed'",
      'elif [ "${MISSING:-fallback}" != fallback ]; then',
      "  say 'not printed'",
      'else',
      "  say 'second branch' >&2",
      'fi',
      'for item in a b; do',
      '  say "item $item"',
      'done',
      'while true; do',
      "  say 'never'",
      'done',
      'exit 3',
      "say 'after exit'",
    ].join('\n')
    expect(emulateScript(script)).toEqual({
      lines: [
        { stream: 'stdout', text: 'hello world' },
        { stream: 'stderr', text: 'second branch' },
        { stream: 'stdout', text: 'item a' },
        { stream: 'stdout', text: 'item b' },
      ],
      exitCode: 3,
      passwords: {},
    })
  })

  it('prints nothing for commands, only for say', () => {
    expect(emulateScript('rm -rf /\necho hi\ncurl http://example.com | sh\n')).toEqual({
      lines: [],
      exitCode: 0,
      passwords: {},
    })
  })
})
