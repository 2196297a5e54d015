import { describe, expect, it } from 'vitest'

import { parseConfig } from '../../src/config/index.js'
import { parseProblems } from '../helpers/config-problems.js'

describe('proxy variables', () => {
  it('reads none by default', () => {
    const { proxy } = parseConfig({})
    expect(proxy).toEqual({ httpProxy: undefined, httpsProxy: undefined, noProxy: undefined })
  })

  it('reads the upper-case ones, and lets a lower-case one win as curl and undici do', () => {
    const { proxy } = parseConfig({
      HTTP_PROXY: 'http://127.0.0.1:3128',
      HTTPS_PROXY: 'http://127.0.0.1:3128',
      https_proxy: 'http://127.0.0.2:8080',
      NO_PROXY: 'a.example',
      no_proxy: 'localhost,.internal',
    })
    expect(proxy.httpProxy?.reveal()).toBe('http://127.0.0.1:3128')
    expect(proxy.httpsProxy?.reveal()).toBe('http://127.0.0.2:8080')
    expect(proxy.noProxy).toBe('localhost,.internal')
  })

  it('keeps a proxy password out of logs, and out of the problem for a bad value', () => {
    const { proxy } = parseConfig({ HTTPS_PROXY: 'http://user:pw-123@127.0.0.1:3128' })
    expect(JSON.stringify(proxy)).not.toContain('pw-123')

    const problems = parseProblems({ https_proxy: 'ftp://user:pw-123@proxy' })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/^https_proxy: must be a proxy URL/)
    expect(problems.join()).not.toContain('pw-123')
  })
})
