resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-${each.key}"
  vpc_id      = "vpc-1"
  for_each = toset(["a", "b"])
  name     = each.key

  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_endpoint" "e" {
  service_id = vpcep_service.api["c"].id
  vpc_id     = "v"
  subnet_id  = "s"
}
