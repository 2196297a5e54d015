import type { Secret } from './secret.js'
import type { NetworksConfig } from './vm-network.js'

/** How the service reaches Proxmox: the built-in simulator, the `qm`/`pvesh` tools, or REST. */
export type PveDriverName = 'sim' | 'cli' | 'api'

/** The pino log levels. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

/**
 * The whole validated configuration, deep-frozen. Sections group what one part of the service
 * needs, so a part receives its section and nothing more. A later variable (API tokens, image
 * dir, SSH options, PVE API URL and token) becomes a field of the section that uses it (or a new
 * section such as `ssh` or `images`), is added to `variables.ts`, and is read in that section's
 * reader; secrets are typed {@link Secret}.
 */
export interface Config {
  readonly http: HttpConfig
  readonly network: NetworkConfig
  /** The networks VMs are installed on (`NETWORKS_FILE`, or the seed's one), `VMID_START..END`, `IP_PROBE`. */
  readonly networks: NetworksConfig
  readonly pve: PveConfig
  readonly pveApi: PveApiConfig
  readonly vm: VmConfig
  readonly sim: SimConfig
  readonly install: InstallConfig
  readonly auth: AuthConfig
  readonly jobs: JobsConfig
  readonly templates: TemplatesConfig
  readonly security: SecurityConfig
  readonly limits: LimitsConfig
  readonly proxy: ProxyConfig
  /** Where jobs, events, images and keys are kept; absolute (`DATA_DIR`, default `./data`). */
  readonly dataDir: string
  /** The lowest level logged (`LOG_LEVEL`, default `info`). */
  readonly logLevel: LogLevel
}

/** The HTTP listener and who may call it. */
export interface HttpConfig {
  /** TCP port of the API (`PORT`, 1..65535, default 8080). */
  readonly port: number
  /** Address the API binds (`HOST`, default `0.0.0.0`). */
  readonly host: string
  /** Clients allowed to call the API (`ALLOW_IPS`): addresses and CIDRs; `0.0.0.0` is everyone. */
  readonly allowIps: readonly string[]
  /** Proxies whose `X-Forwarded-For` is believed (`TRUST_PROXY`); empty trusts none. */
  readonly trustProxy: readonly string[]
}

/** Where new VMs get their addresses: the gateway's /24 with the VMID as last octet. */
export interface NetworkConfig {
  /** The VMs' gateway (`GATEWAY`, IPv4; default `127.0.0.1` with the simulator). */
  readonly gateway: string
  /** First last-octet (and VMID) handed out (`ASSIGN_IP_START`, 100..254, default 100). */
  readonly ipStart: number
  /** Last last-octet (and VMID) handed out (`ASSIGN_IP_END`, start..254, default 254). */
  readonly ipEnd: number
}

/** One cluster node and the address the service reaches it at. */
export interface PveNodeAddress {
  /** Proxmox node name, from `NODE_<name>`. */
  readonly name: string
  /** Its IPv4 address, the variable's value. */
  readonly ip: string
}

/** The Proxmox cluster (real or simulated). */
export interface PveConfig {
  /** `PVE_DRIVER`; default `sim` when `MAIN_NODE` is unset, else `cli`. */
  readonly driver: PveDriverName
  /** The node the service runs on; commands for it run locally (`MAIN_NODE`). */
  readonly mainNode: string | undefined
  /** The `NODE_<name>=<ip>` variables, in the order of their names. */
  readonly nodes: readonly PveNodeAddress[]
  /** Storage that receives imported disks (`ASSIGN_STORAGE`, default `local-lvm`). */
  readonly storage: string
  /**
   * True when the driver runs against the embedded simulator: `sim`, `cli` without `MAIN_NODE`
   * (the fake qm/pvesh/pvesm), or `api` without `MAIN_NODE` and `PVE_API_URL` (the simulator's
   * HTTPS face). `MAIN_NODE` names a real cluster: `api` with it but no `PVE_API_URL` is a
   * configuration error, never the simulator.
   */
  readonly simulated: boolean
  /** Private key for SSH to the other nodes (`PVE_SSH_KEY`, default `/root/.ssh/id_rsa`). */
  readonly sshKeyFile: string
}

/** How the api driver reaches Proxmox's REST API (`PVE_DRIVER=api`). */
export interface PveApiConfig {
  /** The API's origin, `https://<host>:8006` (`PVE_API_URL`); undefined runs the api driver
   * against the simulator's own HTTPS face. */
  readonly url: string | undefined
  /** API token id `user@realm!tokenname` (`PVE_TOKEN_ID`). */
  readonly tokenId: string | undefined
  /** The token's secret (`PVE_TOKEN_SECRET`). */
  readonly tokenSecret: Secret | undefined
  /** PEM file of the CA that signed the node certificates (`PVE_CA_FILE`). */
  readonly caFile: string | undefined
  /** Pinned SHA-256 fingerprint of the node's certificate (`PVE_TLS_FINGERPRINT`). */
  readonly tlsFingerprint: string | undefined
  /** Skip certificate checks (`PVE_TLS_INSECURE=1`); warned about at start. */
  readonly tlsInsecure: boolean
}

/** Limits and defaults applied to every VM. */
export interface VmConfig {
  /** vCPU cap per VM (`VM_MAX_CPU`, 1..32, default 32). */
  readonly maxCpu: number
  /** RAM cap per VM in MB (`VM_MAX_RAM`, at least 512); undefined means no cap. */
  readonly maxRamMb: number | undefined
  /** Disk cap per VM in GB (`VM_MAX_DISK`, at least 16); undefined means no cap. */
  readonly maxDiskGb: number | undefined
  /** Balloon floor in MB (`VM_BALLOON_MIN`); undefined leaves ballooning as Proxmox sets it. */
  readonly balloonMinMb: number | undefined
  /** Root password the OS init script sets (`VM_ROOT_PASSWORD`); undefined sets none. */
  readonly rootPassword: Secret | undefined
}

/** The built-in simulated cluster, used when `pve.driver` is `sim`. */
export interface SimConfig {
  /** Time scale of simulated work: 1 is real time, 0 instant (`SIM_SPEED`, 0..10, default 0.25). */
  readonly speed: number
  /**
   * Node names (`SIM_NODES`) for a simulator without `NODE_` variables; undefined lets the
   * simulator use the `NODE_` names, or its own default when there are none.
   */
  readonly nodes: readonly string[] | undefined
  /** Start-up cost charged to each fake qm/pvesh/pvesm call, ms (`SIM_CLI_STARTUP_MS`, default 0). */
  readonly cliStartupMs: number
  /** SIM_PROXY_TIMEOUT_MS: how long the REST face's pveproxy waits for the daemon before its 596
   * (ms at speed 1; pveproxy's 30 s by default, 0 = never) */
  readonly proxyTimeoutMs: number
  /**
   * `SIM_SHARED_STORAGE`: the ID of a shared NFS storage the simulator adds on every node (one
   * volume set for the cluster); undefined = none, as on fresh nodes.
   */
  readonly sharedStorage: string | undefined
}

/** What the install pipeline needs beyond the VM limits. */
export interface InstallConfig {
  /** Where verified cloud images are kept (`IMAGE_DIR`, default `<DATA_DIR>/images`). */
  readonly imageDir: string
  /** Per OS, a mirror URL replacing the official host's root (`IMAGE_MIRROR_<OS>`). */
  readonly mirrors: Readonly<Partial<Record<'debian' | 'ubuntu' | 'rockylinux', string>>>
  /** Port new VMs answer SSH on (`GUEST_SSH_PORT`; default 22, 2222 with the simulator). */
  readonly guestSshPort: number
  /** How long to wait for a VM to answer SSH, ms (`GUEST_SSH_TIMEOUT` in seconds, default 300). */
  readonly guestSshTimeoutMs: number
  /** Time zone the first-boot script sets (`TIMEZONE`, default `UTC`). */
  readonly timezone: string
  /** File of extra public keys every VM gets, one per line (`ADMIN_KEYS_FILE`). */
  readonly adminKeysFile: string | undefined
  /** Disk operations run at once per storage; the rest queue (`STORAGE_QUEUE_CONCURRENCY`, default 4). */
  readonly storageQueueConcurrency: number
  /**
   * A cloud-init vendor snippet (`<storage>:snippets/<file>`) that installs qemu-guest-agent,
   * set as `cicustom: vendor=` on DHCP installs of an OS whose image has no agent
   * (`GUEST_AGENT_VENDOR_DATA`); undefined refuses those installs.
   */
  readonly guestAgentVendorData: string | undefined
}

/** One API token as the service keeps it: a name for the audit log and the token's hash. */
export interface ApiTokenHash {
  /** `alice` of `API_TOKENS=alice:<token>`, `token-<n>` when unnamed, or the file's name column */
  readonly name: string
  /** SHA-256 of the token, lowercase hex; the token itself is not kept */
  readonly sha256: string
}

/** Who may call the API, and which VMs it must never stop, change or destroy. */
export interface AuthConfig {
  /** Tokens of `API_TOKENS` and `API_TOKENS_FILE`; empty means no token is needed. */
  readonly tokens: readonly ApiTokenHash[]
  /** `API_TOKENS_FILE`, absolute: lines of `<name> sha256:<hex>`. */
  readonly tokensFile: string | undefined
  /** VMIDs of `PROTECTED_VMIDS` (ranges expanded), sorted. */
  readonly protectedVmids: readonly number[]
  /** VMs carrying this Proxmox tag are protected too (`PROTECTED_TAG`, lowercase). */
  readonly protectedTag: string | undefined
}

/** How jobs are admitted. */
export interface JobsConfig {
  /** Installs that run at once; more wait in line (`MAX_CONCURRENT_INSTALLS`, 1..64, default 4). */
  readonly maxConcurrentInstalls: number
}

/** Cached OS templates and linked clones, and the install's reboot. */
export interface TemplatesConfig {
  /** `auto`: installs on storage that can link-clone clone a cached template (`TEMPLATES`, default `auto`). */
  readonly mode: 'auto' | 'off'
  /** First VMID of templates (`TEMPLATE_VMID_START`, default 9000); outside the install range. */
  readonly vmidStart: number
  /** Last VMID of templates (`TEMPLATE_VMID_END`, default 9099). */
  readonly vmidEnd: number
  /** When the install reboots after the first-boot script (`INSTALL_REBOOT`, default `auto`:
   * when the guest says it must). */
  readonly reboot: 'auto' | 'always' | 'never'
}

/** Which names and web origins may reach the API. */
export interface SecurityConfig {
  /** Names the `Host` header may carry besides IP literals and `localhost` (`ALLOWED_HOSTS`,
   * lowercase); `*` turns the check off. */
  readonly allowedHosts: readonly string[]
  /** Web origins whose pages may call the API, with CORS (`ALLOW_ORIGINS`, canonical form). */
  readonly allowOrigins: readonly string[]
}

/** What one caller may hold of the service, and how long the store keeps its audit log. */
export interface LimitsConfig {
  /** Time to receive a whole request, ms (`HTTP_REQUEST_TIMEOUT` s, default 30); not streams. */
  readonly requestTimeoutMs: number
  /** Time to receive the request head, ms (`HTTP_HEADERS_TIMEOUT` s, default 10). */
  readonly headersTimeoutMs: number
  /** Idle keep-alive connections are closed after this, ms (`HTTP_KEEPALIVE_TIMEOUT` s, default 5). */
  readonly keepAliveTimeoutMs: number
  /** Open connections at most; more are answered 503 and closed (`MAX_CONNECTIONS`, default 512). */
  readonly maxConnections: number
  /** Installs waiting for a slot at most; more get 429 (`MAX_QUEUED_INSTALLS`, default 32). */
  readonly maxQueuedInstalls: number
  /** Streams following one job at most (`MAX_FOLLOWERS_PER_JOB`, default 32). */
  readonly maxFollowersPerJob: number
  /** Streams following jobs at most, in total (`MAX_FOLLOWERS`, default 256). */
  readonly maxFollowers: number
  /** Nesting of a JSON body at most (`MAX_BODY_DEPTH`, default 8). */
  readonly maxBodyDepth: number
  /** Free space DATA_DIR needs before an install is admitted, MB (`MIN_FREE_DISK_MB`, default 512). */
  readonly minFreeDiskMb: number
  /** Audit entries older than this are removed (`AUDIT_RETENTION_DAYS`, default 90). */
  readonly auditRetentionDays: number
  /** The audit log keeps at most this many entries (`AUDIT_MAX_ROWS`, default 100000). */
  readonly auditMaxRows: number
  /** Refusals of one address stored one row each per minute; more are only counted
   * (`AUDIT_REFUSALS_PER_MINUTE`, default 30). */
  readonly auditRefusalsPerMinute: number
}

/**
 * Proxies for the service's own downloads (images, checksum files): `HTTP_PROXY`, `HTTPS_PROXY`,
 * `NO_PROXY`, each also lower-case, which wins. Semantics are undici's EnvHttpProxyAgent.
 */
export interface ProxyConfig {
  /** Proxy for http:// URLs, and for https:// ones when `httpsProxy` is unset; may hold a password. */
  readonly httpProxy: Secret | undefined
  /** Proxy for https:// URLs; may hold a password. */
  readonly httpsProxy: Secret | undefined
  /** Hosts reached directly: comma-separated names, `.suffix`, `host:port`, or `*`. */
  readonly noProxy: string | undefined
}
