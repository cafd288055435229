resource "vpcep_service" "api" {
  name        = "api"
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"
  description = "new"
  port {
    server_port = 8080
    client_port = 80
  }
}

