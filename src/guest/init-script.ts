import { quoteForShell } from '../exec/quote-for-shell.js'
import type { OsRelease } from '../images/os-catalog.js'

export interface InitScriptOptions {
  /** IANA zone name, e.g. `UTC` or `Europe/Berlin` */
  timezone: string
}

/**
 * The first-boot script for one OS release: served as-is at `/sh/<os>_<version>.sh`, and sent
 * over SSH (with the root password hash prepended, see `withRootPasswordHash`) during install.
 * It is idempotent: running it twice changes nothing the first run did not.
 */
export function renderInitScript(release: OsRelease, options: InitScriptOptions): string {
  const packages = release.packages === 'apt' ? aptSection : dnfSection
  return [
    '#!/usr/bin/env bash',
    `# pve-qemu first-boot setup for ${release.os} ${release.version} (${release.codename}).`,
    '# Safe to run again: every step checks before it changes anything.',
    'set -euo pipefail',
    '',
    `TIMEZONE=${shellQuote(options.timezone)}`,
    '# Set by pve-qemu before the script (crypt hashes): the login user and its password, and the',
    '# root password when one is configured. They reach the VM only inside this script on SSH.',
    'PVEQ_USER="${PVEQ_USER:-}"',
    'PVEQ_USER_PASSWORD_HASH="${PVEQ_USER_PASSWORD_HASH:-}"',
    'PVEQ_ROOT_PASSWORD_HASH="${PVEQ_ROOT_PASSWORD_HASH:-}"',
    '',
    'say() { printf \'%s\\n\' "$*"; }',
    '',
    'if [ "$(id -u)" -ne 0 ]; then',
    "  say 'this script must run as root (use sudo)' >&2",
    '  exit 1',
    'fi',
    '',
    'if command -v cloud-init >/dev/null 2>&1; then',
    "  say 'waiting for cloud-init to finish'",
    '  cloud-init status --wait >/dev/null 2>&1 || true',
    'fi',
    '',
    packages,
    '',
    "say 'starting qemu-guest-agent'",
    "# udev starts it at boot; Debian's and Ubuntu's unit has no [Install] section, so enable may",
    '# do nothing and start nothing: started here, it answers before the next boot',
    'systemctl enable qemu-guest-agent >/dev/null 2>&1 || true',
    'systemctl start qemu-guest-agent || true',
    '',
    'if [ "$(timedatectl show --property=Timezone --value 2>/dev/null || true)" != "$TIMEZONE" ]; then',
    '  say "setting the time zone to $TIMEZONE"',
    '  timedatectl set-timezone "$TIMEZONE"',
    'fi',
    '',
    '# chpasswd reads the hash on stdin (printf is a builtin): it is in no argv, not even here',
    'if [ -n "$PVEQ_USER_PASSWORD_HASH" ]; then',
    '  say "setting the password of $PVEQ_USER"',
    '  printf \'%s:%s\\n\' "$PVEQ_USER" "$PVEQ_USER_PASSWORD_HASH" | chpasswd -e',
    'fi',
    '',
    'if [ -n "$PVEQ_ROOT_PASSWORD_HASH" ]; then',
    "  say 'setting the root password'",
    '  printf \'%s:%s\\n\' root "$PVEQ_ROOT_PASSWORD_HASH" | chpasswd -e',
    'fi',
    '',
    "say 'first-boot setup finished'",
    '',
  ].join('\n')
}

const aptSection = [
  'export DEBIAN_FRONTEND=noninteractive',
  '# unattended-upgrades may hold the dpkg lock for minutes on a fresh image: wait for it',
  'apt_get() { apt-get -o DPkg::Lock::Timeout=900 -y -q "$@"; }',
  'wanted="qemu-guest-agent curl ca-certificates htop"',
  'missing=""',
  'for package in $wanted; do',
  '  dpkg-query -W -f=\'${Status}\' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"',
  'done',
  'if [ -n "$missing" ]; then',
  '  say "installing:$missing"',
  '  apt_get update',
  '  # shellcheck disable=SC2086 # the list is meant to split into words',
  '  apt_get install $missing',
  'fi',
].join('\n')

const dnfSection = [
  'wanted="qemu-guest-agent curl ca-certificates"',
  'missing=""',
  'for package in $wanted; do',
  '  rpm -q "$package" >/dev/null 2>&1 || missing="$missing $package"',
  'done',
  'if [ -n "$missing" ]; then',
  '  say "installing:$missing"',
  '  # shellcheck disable=SC2086 # the list is meant to split into words',
  '  dnf -y -q install $missing',
  'fi',
].join('\n')

/**
 * The script as sent over SSH: the root password's crypt hash assigned first, so the secret
 * travels only inside the SSH channel, never on a command line or in the served file.
 */
export function withRootPasswordHash(script: string, hash: string | undefined): string {
  return withPasswordHashes(script, { root: hash })
}

/** The crypt hashes a first boot sets, each only when given. */
export interface PasswordHashes {
  /** the login user and its password's hash */
  user?: { name: string; hash: string } | undefined
  /** VM_ROOT_PASSWORD's hash */
  root?: string | undefined
}

/**
 * The script as sent over SSH with the password hashes assigned after its first line: they
 * travel only inside the SSH channel (the script is the remote bash's stdin), never on a command
 * line, in the served file, in an event or in the VM's Proxmox config (no `cipassword`).
 */
export function withPasswordHashes(script: string, hashes: PasswordHashes): string {
  const assignments: string[] = []
  if (hashes.user !== undefined) {
    assignments.push(`PVEQ_USER=${shellQuote(hashes.user.name)}`)
    assignments.push(`PVEQ_USER_PASSWORD_HASH=${shellQuote(hashes.user.hash)}`)
  }
  if (hashes.root !== undefined)
    assignments.push(`PVEQ_ROOT_PASSWORD_HASH=${shellQuote(hashes.root)}`)
  if (assignments.length === 0) return script
  const [shebang = '', ...rest] = script.split('\n')
  return [shebang, ...assignments, ...rest].join('\n')
}

function shellQuote(value: string): string {
  return quoteForShell([value])
}
