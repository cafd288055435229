resource "vpcep_service" "kept" {
  server_type = "LB"
  port_id     = "port"
  vpc_id      = "vpc-1"

  port {
    server_port = 80
    client_port = 80
  }
}
