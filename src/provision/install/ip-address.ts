/** The seed's rule: a VM's address is the gateway's first three octets and the VMID, in a /24. */
export function ipForVmid(gateway: string, vmid: number): string {
  const octets = gateway.split('.')
  return `${octets.slice(0, 3).join('.')}.${vmid}`
}
