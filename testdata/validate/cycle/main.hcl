locals {
  name = vpcep_service.b.name
}

resource "vpcep_service" "a" {
  server_type = "LB"
  port_id     = "p-a"
  vpc_id      = "vpc-1"
  name = vpcep_service.b.name

  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "b" {
  server_type = "LB"
  port_id     = "p-b"
  name        = local.name
  vpc_id      = "vpc-1"
  description = vpcep_service.a.id

  port {
    server_port = 8080
    client_port = 80
  }
}
