resource "vpcep_service" "a" {
  server_type = "LB"
  port_id     = "p"
  vpc_id      = "v"
  port {
    server_port = 80
    client_port = 80
  }
}

data "vpcep_service_connections" "c" {
  count      = 1
  service_id = vpcep_service.a.id
}
