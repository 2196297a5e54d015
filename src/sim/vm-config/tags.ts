const tagPattern = /^[a-z0-9_][a-z0-9_\-+.]*$/i

/**
 * Normalizes `tags` like PVE (pve.md §2.3): split on `,` `;` and spaces, each checked,
 * lower-cased, de-duplicated, sorted and joined with `;`. Returns the error reason on a bad tag.
 */
export function normalizeTags(
  text: string,
): { ok: true; value: string } | { ok: false; reason: string } {
  const tags = text.split(/[;, ]+/).filter((tag) => tag !== '')
  for (const tag of tags) {
    if (!tagPattern.test(tag)) return { ok: false, reason: 'invalid characters in tag' }
  }
  const unique = [...new Set(tags.map((tag) => tag.toLowerCase()))].sort()
  return { ok: true, value: unique.join(';') }
}
