resource "vpcep_service" "api" {
  name        = "api"
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_endpoint" "client" {
  service_id = vpcep_service.api.id
  vpc_id     = "vpc-2"
  subnet_id  = "subnet-2"
}

resource "vpcep_approval" "api" {
  service_id = vpcep_service.api.id
  endpoints  = [vpcep_endpoint.client.id]
}
