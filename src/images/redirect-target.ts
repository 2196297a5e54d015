/** As many hops as fetch allows; a mirror that redirects more is misconfigured. */
export const maxRedirects = 20

const redirectStatuses = new Set([301, 302, 303, 307, 308])

/** True for a status that sends a GET or HEAD elsewhere (with a Location header). */
export function isRedirect(statusCode: number): boolean {
  return redirectStatuses.has(statusCode)
}

/** The absolute URL a Location header points to from `from`; only http and https are followed. */
export function redirectTarget(location: string, from: string): string {
  let target: URL
  try {
    target = new URL(location, from)
  } catch (error) {
    throw new Error('redirect to an invalid URL', { cause: error })
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new Error(`redirect to a ${target.protocol} URL`)
  }
  return target.href
}
