# Consul service definition for the notifier service (seed 003 section 6): checked through its own
# grpc.health.v1 endpoint.
service {
  name = "notifier"
  port = 50054
  tags = ["worker"]

  check {
    name     = "notifier gRPC health"
    grpc     = "127.0.0.1:50054"
    interval = "10s"
    timeout  = "2s"
    deregister_critical_service_after = "1m"
  }
}
