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


# Named by its ID rather than as vpcep_service.api.id: the replace would leave it pointing at
# the deleted service.
resource "vpcep_approval" "api" {
  service_id = "aaaaaaaa-0000-4000-8000-000000000001"
  endpoints  = []
}
