import type { AllowList } from '../allow-ips/index.js'

/**
 * The start-up warning for a service anyone who reaches it may use: no API token configured
 * and ALLOW_IPS letting everyone in. Undefined when either protects the changing routes.
 */
export function accessWarning(options: {
  tokens: number
  allowList: AllowList
}): string | undefined {
  if (options.tokens > 0 || !options.allowList.allowsAll) return undefined
  return (
    'anyone who can reach this port can create, change and destroy VMs: neither API_TOKENS ' +
    '(or API_TOKENS_FILE) nor ALLOW_IPS restricts the API'
  )
}
