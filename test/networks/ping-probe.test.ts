import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createPingProbe } from '../../src/networks/index.js'

// A fake `ping` on PATH: it records its argv and answers (exit 0) for 127.0.0.7 and ::1 only,
// exit 1 (no reply) otherwise, exit 2 (an error) for 127.0.0.9. Nothing is ever sent anywhere.
const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-ping-'))
const bin = join(dir, 'bin')
const log = join(dir, 'argv.log')
mkdirSync(bin)
writeFileSync(
  join(bin, 'ping'),
  `#!/bin/sh
printf '%s\\n' "$*" >> '${log}'
for arg in "$@"; do last="$arg"; done
case "$last" in
  127.0.0.7|::1) exit 0 ;;
  127.0.0.9) echo "ping: connect: Network is unreachable" >&2; exit 2 ;;
esac
exit 1
`,
)
chmodSync(join(bin, 'ping'), 0o755)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const signal = new AbortController().signal
const onPath = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` }

describe('the ping probe', () => {
  it('runs ping with an argv, -6 for IPv6, and reads its exit status', async () => {
    const warnings: string[] = []
    const probe = createPingProbe({ warn: (message) => warnings.push(message), env: onPath })
    expect(await probe('127.0.0.7', signal)).toBe(true)
    expect(await probe('127.0.0.8', signal)).toBe(false)
    expect(await probe('127.0.0.9', signal)).toBe(false)
    expect(await probe('::1', signal)).toBe(true)
    // a shell would have run this; an argv hands it to ping as one word
    expect(await probe('127.0.0.8; touch pwned', signal)).toBe(false)
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toEqual([
      '-c 1 -W 1 -n 127.0.0.7',
      '-c 1 -W 1 -n 127.0.0.8',
      '-c 1 -W 1 -n 127.0.0.9',
      '-6 -c 1 -W 1 -n ::1',
      '-c 1 -W 1 -n 127.0.0.8; touch pwned',
    ])
    expect(warnings).toEqual([])
  })

  it('warns once when ping is missing and treats every address as not answering', async () => {
    const warnings: string[] = []
    const empty = join(dir, 'empty')
    mkdirSync(empty)
    const probe = createPingProbe({
      warn: (message) => warnings.push(message),
      env: { PATH: empty },
    })
    expect(await probe('127.0.0.7', signal)).toBe(false)
    expect(await probe('127.0.0.7', signal)).toBe(false)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('IP_PROBE=ping: ping cannot be run (ENOENT)')
  })
})
