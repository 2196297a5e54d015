/** Example payloads shared by several routes' documentation. */

export const installExample = {
  os: 'ubuntu',
  version: '22.04',
  name: 'web-01',
  cpu: 2,
  ram: 4096,
  disk: '40G',
  user: 'deploy',
  pubkey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHVtZXhhbXBsZWtleWZvcmRvY3Nvbmx5 deploy@laptop',
}

export const vmListExample = {
  success: true,
  vms: [
    {
      vmid: 101,
      name: 'web-01',
      os: 'ubuntu',
      running: true,
      node: 'pve1',
      cpu: 2,
      disk: 40,
      memory: 4096,
      memory_used: 1024,
    },
  ],
  nodes: [
    {
      node: 'pve1',
      max_cpu: 32,
      max_memory: 131072,
      cpu: 0.12,
      memory: 0.31,
      memory_used: 40960,
      disk: 0.45,
      running: true,
    },
  ],
}

export const osListExample = {
  success: true,
  releases: [
    {
      os: 'debian',
      version: '12',
      codename: 'bookworm',
      default_user: 'debian',
      support_ends: '2026-06-10',
      min_cpu_level: 1,
    },
  ],
}

const jobId = '4ddd8bb8-d531-47a6-8ac2-ebe949453d53'

/** The seed's SSE framing: `id:` and one JSON `data:` line per event, then `event: close`. */
export const installStreamExample = [
  'id: 1',
  `data: {"step":"preparation > checking VMID","status":"processing","message":"[*] start VM installation","job_id":"${jobId}"}`,
  '',
  'id: 2',
  'data: {"step":"preparation > checking VMID","status":"success","message":"[+] auto-assigned VMID: 103 (0.01s)"}',
  '',
  'id: 34',
  'data: {"step":"VM initialization > finalizing","status":"success","message":"[+] VM installation completed in 67.83s","vm_id":103,"ip":"192.168.0.103"}',
  '',
  'event: close',
  'data: {}',
  '',
  '',
].join('\n')

export const startStreamExample = [
  'id: 1',
  `data: {"step":"starting VM","status":"processing","message":"[*] starting VM","job_id":"${jobId}"}`,
  '',
  'id: 2',
  'data: {"step":"starting VM","status":"success","message":"[+] VM starting (1.05s)"}',
  '',
  'id: 3',
  'data: {"step":"waiting for ready","status":"success","message":"[+] VM is ready (9.12s)"}',
  '',
  'id: 4',
  'data: {"step":"finalizing","status":"success","message":"[*] VM started successfully","vm_id":101}',
  '',
  'event: close',
  'data: {}',
  '',
  '',
].join('\n')

export const jobExample = {
  id: jobId,
  type: 'install',
  vmid: 103,
  state: 'succeeded',
  created_at: '2026-01-05T10:00:00.000Z',
  ended_at: '2026-01-05T10:01:08.000Z',
}

export const metricsExample = [
  '# HELP pve_qemu_http_request_duration_seconds HTTP requests, by route, method and status',
  '# TYPE pve_qemu_http_request_duration_seconds histogram',
  'pve_qemu_http_request_duration_seconds_bucket{le="0.05",method="GET",route="/api/vm/list",status="200"} 3',
  '',
].join('\n')
