/** Service discovery through Consul: instances register themselves; clients resolve `consul:///<service>`. */
export { parseConsulAddress } from './consul-agent';
export { registerConsulResolver, parseConsulTarget } from './consul-resolver';
export { instanceId } from './registration';
export { ConsulTokens } from './consul-tokens';
export { consulTokenEnv, provisionConsulAcl } from './acl';
export type { MeshConsulTokens } from './acl';
