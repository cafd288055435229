resource "vpcep_service" "api" {
  server_type = "ELB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"

  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "lower" {
  server_type = "lb"
  port_id     = "p2"
  vpc_id      = "vpc-1"

  port {
    server_port = 8080
    client_port = 80
  }
}
