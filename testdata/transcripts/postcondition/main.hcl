resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"

  port {
    server_port = 8080
    client_port = 80
  }

  lifecycle {
    postcondition {
      condition     = self.connection_count > 0
      error_message = "${self.service_name} is not ready"
    }
  }
}
