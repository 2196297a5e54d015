import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { createLocalExecutor } from '../../src/exec/local-executor.js'
import { quoteForShell } from '../../src/exec/quote-for-shell.js'
import { nastyFragments, randomWord, seededRandom } from './random-words.js'
import { makeTempDir } from './temp-dir.js'

const temp = makeTempDir()
afterAll(() => {
  temp.remove()
})
const printArgv = join(temp.dir, 'print-argv.js')
writeFileSync(printArgv, 'process.stdout.write(JSON.stringify(process.argv.slice(2)))\n')

const local = createLocalExecutor()

/** What `/bin/sh -c <line>` hands the program, which is what sshd does with a command line. */
async function throughShell(words: string[]): Promise<unknown> {
  const line = quoteForShell([process.execPath, printArgv, ...words])
  const result = await local.run(['/bin/sh', '-c', line])
  expect(result.stderr).toBe('')
  return JSON.parse(result.stdout)
}

describe('quoteForShell', () => {
  it('single-quotes every word and escapes a quote as quote-backslash-quote-quote', () => {
    expect(quoteForShell(['qm', 'set', '100', '--name', "it's"])).toBe(
      `'qm' 'set' '100' '--name' 'it'\\''s'`,
    )
    expect(quoteForShell([''])).toBe(`''`)
  })

  it('keeps each nasty fragment one unchanged word through /bin/sh -c', async () => {
    expect(await throughShell(nastyFragments)).toEqual(nastyFragments)
  })

  it('keeps random mixes of them one unchanged word each (seeded property test)', async () => {
    const random = seededRandom(20240611)
    // Each word is quoted on its own, so many words per command line test as much as one each.
    for (let run = 0; run < 5; run++) {
      const words = Array.from({ length: 100 }, () => randomWord(random))
      expect(await throughShell(words)).toEqual(words)
    }
  })
})
