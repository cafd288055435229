resource "vpcep_service" "single" {
  server_type = "LB"
  port_id     = "port"
  vpc_id      = "vpc-1"

  port {
    server_port = 80
    client_port = 80
  }
}

moved {
  from = vpcep_service.fleet["port"]
  to   = vpcep_service.single
}
