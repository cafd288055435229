resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"

  port {
    protocol    = "tcp"
    server_port = 1
    client_port = 1
  }
  port {
    protocol    = "HTTP"
    server_port = 2
    client_port = 2
  }
}
