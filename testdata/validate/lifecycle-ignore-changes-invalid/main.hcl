resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"

  port {
    server_port = 8080
    client_port = 80
  }

  lifecycle {
    ignore_changes = [tag, description, "whitelist", port_id.x]
  }
}

resource "vpcep_approval" "api" {
  service_id = vpcep_service.api.id
  endpoints  = []

  lifecycle {
    ignore_changes = "endpoints"
  }
}
