resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"
  tags = {
    "team name" = "x"
    env         = "prod/eu"
    "" = "empty"
    owner       = "a-very-long-value-that-is-longer-than-forty-three-chars"
  }

  port {
    server_port = 8080
    client_port = 80
  }
}
