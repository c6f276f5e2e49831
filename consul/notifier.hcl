# Consul service definition of the notifier service (seed 003 section 6, docs/seeds.md), for a Consul agent on the same
# host to load (consul agent -config-dir consul/). Use it where instances do not register
# themselves; an instance started with CONSUL_HTTP_ADDR registers the same name, tags and check on
# its own (src/platform/discovery), and deregisters on SIGTERM. Checked by `consul validate` in
# test/integration/cluster-deploy-files.test.ts.
# With ACLs on (as the deployments run Consul: deploy/consul/agent-acl.hcl, README "Consul ACLs"),
# the agent registers it only with a token allowed to write the name notifier: add
# `token = "<NOTIFIER_CONSUL_TOKEN>"` (from `npm run consul:provision`) to a copy kept out of the repository.
service {
  name = "notifier"
  id   = "notifier-127.0.0.1-50054"
  port = 50054
  tags = ["worker", "grpc"]

  check {
    name     = "notifier gRPC health"
    # Consul's gRPC check calls grpc.health.v1.Health/Check.
    grpc     = "127.0.0.1:50054"
    # Over TLS: the instance's certificate verified against the agent's CA under the service's name.
    grpc_use_tls    = true
    tls_server_name = "notifier"
    interval = "10s"
    timeout  = "2s"
    # An instance that died without deregistering is dropped after this long critical.
    deregister_critical_service_after = "1m"
  }
}
