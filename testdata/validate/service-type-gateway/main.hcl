resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"
  service_type = "gateway"

  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "b" {
  server_type = "LB"
  port_id     = "p2"
  vpc_id      = "vpc-1"
  service_type = "tcp"

  port {
    server_port = 8080
    client_port = 80
  }
}
