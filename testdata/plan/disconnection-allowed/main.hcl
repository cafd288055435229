resource "vpcep_service" "api" {
  name        = "api"
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"
  whitelist   = ["3333333333333333333333333333cccc"]
  port {
    server_port = 8080
    client_port = 80
  }
}

# The same, said on purpose on the command line.
