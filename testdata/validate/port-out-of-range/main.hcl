resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"

  port {
    server_port = 0
    client_port = 65536
  }
  port {
    server_port = 80.5
    client_port = 81
  }
}
