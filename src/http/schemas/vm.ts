import { Type, type Static } from '@sinclair/typebox'

/** `:id` of every VM route: a Proxmox VMID (pve.md §2: 100..999999999). */
export const VmIdParams = Type.Object({
  id: Type.Integer({ minimum: 100, maximum: 999_999_999, description: 'VMID' }),
})
export type VmIdParams = Static<typeof VmIdParams>

/** Bodies drop unknown fields (README: they are ignored) before anything reads them. */
export const SetCpuBody = Type.Object(
  {
    cpu: Type.Integer({ minimum: 1, maximum: 32, description: 'vCPU cores' }),
  },
  { additionalProperties: false },
)
export type SetCpuBody = Static<typeof SetCpuBody>

export const SetMemoryBody = Type.Object(
  {
    memory: Type.Integer({ minimum: 512, maximum: 4_194_304, description: 'RAM in MB' }),
  },
  { additionalProperties: false },
)
export type SetMemoryBody = Static<typeof SetMemoryBody>

export const SetDiskBody = Type.Object(
  {
    disk: Type.String({
      pattern: '^\\+?[0-9]{1,7}[MGTmgt]?$',
      description: 'amount to grow the boot disk by, e.g. "10G" (a bare number means GB)',
    }),
  },
  { additionalProperties: false },
)
export type SetDiskBody = Static<typeof SetDiskBody>

export const SetNodeBody = Type.Object(
  {
    node: Type.String({
      pattern: '^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$',
      description: 'target node',
    }),
  },
  { additionalProperties: false },
)
export type SetNodeBody = Static<typeof SetNodeBody>

export const ListedVmSchema = Type.Object({
  vmid: Type.Integer(),
  name: Type.String(),
  os: Type.String(),
  running: Type.Boolean(),
  node: Type.String(),
  cpu: Type.Number(),
  disk: Type.Number({ description: 'GB' }),
  memory: Type.Number({ description: 'MB' }),
  memory_used: Type.Number({ description: 'MB' }),
  ip: Type.Optional(
    Type.String({
      description:
        "the VM's first IPv4 address (cloud-init ipconfigN, or the guest agent for DHCP), once known",
    }),
  ),
  addresses: Type.Optional(
    Type.Array(Type.String(), {
      description: 'every address of the VM, IPv4 first, then IPv6 (once known)',
    }),
  ),
  network: Type.Optional(
    Type.String({ description: 'the network the VM is on, when one matches' }),
  ),
  installing: Type.Optional(
    Type.Object(
      {
        job_id: Type.String(),
        stage: Type.String({ description: 'the step the install is at, or queued' }),
      },
      { description: 'present while an install job works on this VM' },
    ),
  ),
})

export const ListedNodeSchema = Type.Object({
  node: Type.String(),
  max_cpu: Type.Number(),
  max_memory: Type.Number({ description: 'MB' }),
  cpu: Type.Number({ description: 'fraction 0..1' }),
  memory: Type.Number({ description: 'fraction 0..1' }),
  memory_used: Type.Number({ description: 'MB' }),
  disk: Type.Number({ description: 'fraction 0..1' }),
  running: Type.Boolean(),
})

export const VmListReply = Type.Object({
  success: Type.Boolean(),
  vms: Type.Array(ListedVmSchema),
  nodes: Type.Array(ListedNodeSchema),
})
export type VmListReply = Static<typeof VmListReply>

/** One SSE `data:` payload, the seed's SSE Event Format. */
export const StepEventSchema = Type.Object({
  step: Type.String(),
  status: Type.Union([Type.Literal('processing'), Type.Literal('success'), Type.Literal('error')]),
  message: Type.String(),
  vm_id: Type.Optional(Type.Integer()),
  ip: Type.Optional(Type.String()),
  job_id: Type.Optional(Type.String({ description: 'on the first event of a stream' })),
  stage: Type.Optional(
    Type.Integer({ description: 'which stage of the job this is, from 1 (0: waiting in line)' }),
  ),
  stages: Type.Optional(Type.Integer({ description: 'how many stages the job has' })),
  bytes: Type.Optional(Type.Number({ description: 'download events: bytes received so far' })),
  total: Type.Optional(Type.Number({ description: 'download events: the expected size' })),
  result: Type.Optional(
    Type.Object(
      {
        vmid: Type.Integer(),
        ip: Type.String(),
        node: Type.String(),
        user: Type.String(),
        ssh: Type.String({ description: 'the login command, e.g. ssh -p 2222 debian@10.0.0.105' }),
        network: Type.Optional(
          Type.String({ description: 'the network the VM joined (installs on a named network)' }),
        ),
        addresses: Type.Optional(
          Type.Array(Type.String(), {
            description: 'every address of the VM, IPv4 first (installs on a named network)',
          }),
        ),
      },
      { description: 'the last event of a successful install: the VM and how to log in' },
    ),
  ),
})
export type StepEventPayload = Static<typeof StepEventSchema>
