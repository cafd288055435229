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
  service_id = vpcep_service.api.id
  vpc_id     = "v"
  subnet_id  = "s"
}

resource "vpcep_approval" "api" {
  service_id = vpcep_service.api.id
  endpoints  = [vpcep_endpoint.e.id, vpcep_endpoint.e.id, "ep-1", "ep-1"]
}
