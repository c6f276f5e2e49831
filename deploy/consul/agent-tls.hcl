# TLS of a Consul agent that runs the mesh's gRPC health checks: every port of the mesh is TLS, and the
# internal services (emotion, scoring, notifier) accept only clients with a certificate of the mesh's
# CA. The instances register their checks with `grpc_use_tls = true` and `tls_server_name = "<service>"`
# (src/platform/discovery); with enable_agent_tls_for_checks the agent dials them with these files:
# it verifies the server's certificate against the mesh's CA and the service's name, and presents its
# own certificate (spiffe://interview-mesh/service/consul: health only, the call policy names it
# nowhere). deploy/docker-compose.yml mounts it into the agent's config directory, with tls-init's
# bundle for `consul` at /consul/tls; on Kubernetes, put it in the Consul agents' configuration with
# a Secret holding the same three files (README, "Transport security").
tls {
  defaults {
    ca_file   = "/consul/tls/ca.crt"
    cert_file = "/consul/tls/consul.crt"
    key_file  = "/consul/tls/consul.key"
  }
}

enable_agent_tls_for_checks = true
