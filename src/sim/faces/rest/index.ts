export {
  startSimRestFace,
  type RestFaceFault,
  type SimRestFace,
  type SimRestFaceOptions,
} from './rest-face.js'
export { allPrivileges } from './access-permissions.js'
export {
  createSelfSignedCertificate,
  type SelfSignedCertificate,
} from './self-signed-certificate.js'
export type { SimApiToken } from './token-auth.js'
