resource "vpcep_service" "other" {
  server_type = "LB"
  port_id     = "port-2"
  vpc_id      = "vpc-1"

  port {
    server_port = 80
    client_port = 80
  }
}
