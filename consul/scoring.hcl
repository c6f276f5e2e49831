# Consul service definition for the scoring service (seed 003 section 6): checked through its own
# grpc.health.v1 endpoint.
service {
  name = "scoring"
  port = 50053
  tags = ["grpc"]

  check {
    name     = "scoring gRPC health"
    grpc     = "127.0.0.1:50053"
    interval = "10s"
    timeout  = "2s"
    deregister_critical_service_after = "1m"
  }
}
