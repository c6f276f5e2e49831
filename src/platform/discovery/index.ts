/** Service discovery through Consul: instances register themselves; clients resolve `consul:///<service>`. */
export { parseConsulAddress, consulClient } from './consul-agent';
export type { ConsulAgentAddress } from './consul-agent';
export { registerConsulResolver, parseConsulTarget } from './consul-resolver';
export type { ConsulResolverOptions } from './consul-resolver';
export { instanceId, registerInstance } from './registration';
export type { InstanceRegistration, RegisteredInstance } from './registration';
export { registerServiceInstance, SERVICE_TAGS } from './service-registration';
export type { ServiceInstance } from './service-registration';
