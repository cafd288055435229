# Data sources: the quotas are read while planning; the connections of a service that does
# not exist yet are read during apply, and the plan says so.

data "vpcep_quotas" "here" {}

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

data "vpcep_service_connections" "api" {
  service_id = vpcep_service.api.id
  status     = "accepted"
}

output "free_services" {
  value = data.vpcep_quotas.here.services_quota - data.vpcep_quotas.here.services_used
}

output "accepted" {
  value = length(data.vpcep_service_connections.api.connections)
}
