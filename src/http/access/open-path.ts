/** Which paths an access check lets through: whole subtrees and single paths. */
export interface OpenPaths {
  /** `/sh` opens `/sh` and everything below it */
  prefixes: readonly string[]
  /** opened exactly as written, nothing below them */
  exact?: readonly string[]
}

/** True when `url` (query ignored) is one of the open paths. */
export function isOpenPath(url: string, open: OpenPaths): boolean {
  const path = url.split('?')[0] ?? ''
  if (open.exact?.includes(path) === true) return true
  return open.prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))
}
