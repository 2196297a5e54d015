export {
  addressBits,
  canonicalIpAddress,
  formatIpAddress,
  offsetIpAddress,
  parseIpAddress,
  type IpAddress,
} from './ip-address.js'
export {
  cidrContains,
  cidrFirst,
  cidrLast,
  formatCidr,
  parseCidr,
  type Cidr,
  type CidrParse,
} from './cidr.js'
