# Consul service definition of the integrity service (seed 003 section 6, docs/seeds.md), for a Consul agent on the same
# host to load (consul agent -config-dir consul/). Use it where instances do not register
# themselves; an instance started with CONSUL_HTTP_ADDR registers the same name, tags and check on
# its own (src/platform/discovery), and deregisters on SIGTERM. Checked by `consul validate` in
# test/integration/cluster-deploy-files.test.ts.
# With ACLs on (as the deployments run Consul: deploy/consul/agent-acl.hcl, README "Consul ACLs"),
# the agent registers it only with a token allowed to write the name integrity: add
# `token = "<INTEGRITY_CONSUL_TOKEN>"` (from `npm run consul:provision`) to a copy kept out of the repository.
service {
  name = "integrity"
  id   = "integrity-127.0.0.1-50057"
  port = 50057
  tags = ["ml", "grpc"]

  check {
    name     = "integrity gRPC health"
    # Consul's gRPC check calls grpc.health.v1.Health/Check for integrity.v1.IntegrityService.
    grpc     = "127.0.0.1:50057/integrity.v1.IntegrityService"
    # Over TLS: the instance's certificate verified against the agent's CA under the service's name.
    grpc_use_tls    = true
    tls_server_name = "integrity"
    interval = "10s"
    timeout  = "2s"
    # An instance that died without deregistering is dropped after this long critical.
    deregister_critical_service_after = "1m"
  }
}
