resource "vpcep_service" "api" {
  name        = "api"
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"
  whitelist   = ["3333333333333333333333333333cccc"]
  port {
    server_port = 8080
    client_port = 80
  }
}

# The partner's endpoint is removed from the list: rejected on purpose.
resource "vpcep_approval" "api" {
  service_id = vpcep_service.api.id
  endpoints  = []
}
