# Consul service definition for the interview service (seed 003 section 6): checked through its own
# grpc.health.v1 endpoint.
service {
  name = "interview"
  port = 50051
  tags = ["api","v1"]

  check {
    name     = "interview gRPC health"
    grpc     = "127.0.0.1:50051"
    interval = "10s"
    timeout  = "2s"
    deregister_critical_service_after = "1m"
  }
}
