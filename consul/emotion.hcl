# Consul service definition for the emotion service (seed 003 section 6): checked through its own
# grpc.health.v1 endpoint.
service {
  name = "emotion"
  port = 50052
  tags = ["ml","grpc"]

  check {
    name     = "emotion gRPC health"
    grpc     = "127.0.0.1:50052"
    interval = "10s"
    timeout  = "2s"
    deregister_critical_service_after = "1m"
  }
}
