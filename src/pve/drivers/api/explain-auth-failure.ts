import { PveError } from '../../errors.js'
import type { PveApiResponse } from './transport.js'

const permissionCheck = /^Permission check failed \(([^,()]+), ([^()]+)\)/

/**
 * A 401 or 403 as an error that says what to fix: which credentials were refused, or which
 * privilege on which path the caller lacks (PVE names both in its 403 reason phrase). Other
 * answers give undefined.
 */
export function explainAuthFailure(response: PveApiResponse, user: string): PveError | undefined {
  const message = response.message ?? ''
  if (response.status === 401) {
    return new PveError(
      'permission',
      `Proxmox refused the credentials of ${user} (401 ${message || 'Unauthorized'}): check ` +
        'PVE_TOKEN_ID and PVE_TOKEN_SECRET, and that the token exists, has not expired and ' +
        'its user is enabled',
    )
  }
  if (response.status !== 403) return undefined
  const match = permissionCheck.exec(message)
  const path = match?.[1]
  const privilege = match?.[2]
  if (path === undefined || privilege === undefined) {
    return new PveError('permission', `${message || 'Permission denied'}: ${user} may not do this`)
  }
  return new PveError(
    'permission',
    `${message}: ${user} lacks the privilege ${privilege} on ${path}; grant it as the README's ` +
      '"Running with the REST API driver" shows',
  )
}
