resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"
  for_each = 3

  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "b" {
  server_type = "LB"
  port_id     = "p2"
  vpc_id      = "vpc-1"
  for_each = ["a", "a"]

  port {
    server_port = 8080
    client_port = 80
  }
}
