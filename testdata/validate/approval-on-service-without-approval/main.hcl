resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"
  approval_enabled = false

  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_approval" "api" {
  service_id = vpcep_service.api.id
  endpoints  = []
}
