/**
 * The seed's rule: a VM's address is the gateway's first three octets and the VMID, in a /24.
 * The same rule as the install pipeline's `ipForVmid` (src/provision/install/ip-address.ts),
 * kept here too because the address book sits below the pipeline.
 */
export function seedAddress(gateway: string, vmid: number): string {
  return `${gateway.split('.').slice(0, 3).join('.')}.${vmid}`
}
