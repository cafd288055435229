resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"

  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_endpoint" "e" {
  for_each   = toset([vpcep_service.api.id])
  service_id = each.key
  vpc_id     = "v"
  subnet_id  = "s"
}
