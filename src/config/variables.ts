/**
 * Every variable the service reads, besides the `NODE_<name>` family. The readers only accept
 * names from this list and a test checks `.env.example` documents each one, so a new variable
 * is added here, read in its section, and documented, or the build says what is missing.
 */
export const configVariables = [
  'PORT',
  'HOST',
  'ALLOW_IPS',
  'TRUST_PROXY',
  'GATEWAY',
  'ASSIGN_IP_START',
  'ASSIGN_IP_END',
  'PVE_DRIVER',
  'MAIN_NODE',
  'PVE_API_URL',
  'PVE_TOKEN_ID',
  'PVE_TOKEN_SECRET',
  'PVE_CA_FILE',
  'PVE_TLS_FINGERPRINT',
  'PVE_TLS_INSECURE',
  'PVE_CI_VENDOR_SNIPPET',
  'PVE_SSH_KEY',
  'SIM_CLI_STARTUP_MS',
  'ASSIGN_STORAGE',
  'VM_MAX_CPU',
  'VM_MAX_RAM',
  'VM_MAX_DISK',
  'VM_BALLOON_MIN',
  'VM_ROOT_PASSWORD',
  'SIM_SPEED',
  'SIM_NODES',
  'DATA_DIR',
  'LOG_LEVEL',
  'IMAGE_DIR',
  'IMAGE_MIRROR_DEBIAN',
  'IMAGE_MIRROR_UBUNTU',
  'IMAGE_MIRROR_ROCKYLINUX',
  'GUEST_SSH_PORT',
  'GUEST_SSH_TIMEOUT',
  'TIMEZONE',
  'ADMIN_KEYS_FILE',
  'STORAGE_QUEUE_CONCURRENCY',
  'API_TOKENS',
  'API_TOKENS_FILE',
  'PROTECTED_VMIDS',
  'PROTECTED_TAG',
  'MAX_CONCURRENT_INSTALLS',
  'TEMPLATES',
  'TEMPLATE_VMID_START',
  'TEMPLATE_VMID_END',
  'INSTALL_REBOOT',
] as const

/** The name of one variable of {@link configVariables}. */
export type ConfigVariable = (typeof configVariables)[number]

/** The prefix of the per-node address variables (`NODE_pve2=127.0.0.12`). */
export const nodeVariablePrefix = 'NODE_'
