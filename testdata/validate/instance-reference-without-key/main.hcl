resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"
  for_each = toset(["a"])

  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_endpoint" "e" {
  service_id = vpcep_service.api.id
  vpc_id     = "v"
  subnet_id  = "s"
}

resource "vpcep_endpoint" "f" {
  service_id = vpcep_endpoint.e["x"].service_id
  vpc_id     = "v"
  subnet_id  = "s"
}
