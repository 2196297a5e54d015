import { describe, expect, it } from 'vitest'

import { quoteForShell } from '../../../src/exec/index.js'
import { splitCommandLine } from '../../../src/sim/guests/split-command-line.js'

describe('splitCommandLine', () => {
  it('undoes quoteForShell', () => {
    const argv = ['sudo', '-n', 'bash', '-s', "it's", 'two words']
    expect(splitCommandLine(quoteForShell(argv))).toEqual(argv)
  })

  it('splits plain words', () => {
    expect(splitCommandLine('true')).toEqual(['true'])
    expect(splitCommandLine('  sudo  -n bash\t-s ')).toEqual(['sudo', '-n', 'bash', '-s'])
  })

  it('gives up on anything that needs a real shell', () => {
    for (const line of ['true; reboot', 'echo $HOME', 'a | b', "'open", 'echo "x"', 'a && b']) {
      expect(splitCommandLine(line)).toBeUndefined()
    }
  })
})
