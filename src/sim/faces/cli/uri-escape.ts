/**
 * URL-encodes like Perl's `URI::Escape::uri_escape`, which qm applies to an ssh key file
 * (pve.md §4.3): everything but `A-Za-z0-9-._~` becomes `%XX` (upper-case hex, UTF-8 bytes).
 */
export function uriEscape(text: string): string {
  let out = ''
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte)
    out += /[A-Za-z0-9\-._~]/.test(char)
      ? char
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}
