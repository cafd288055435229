resource "vpcep_service" "o" {
  name        = "o"
  server_type = "VM"
  port_id     = "port-o"
  vpc_id      = "vpc-o"

  port {
    server_port = 80
    client_port = 80
  }
}
