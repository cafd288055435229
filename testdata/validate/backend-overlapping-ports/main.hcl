resource "vpcep_service" "a" {
  server_type = "LB"
  port_id     = "shared-elb"
  vpc_id      = "vpc-1"

  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "b" {
  server_type = "LB"
  port_id     = "shared-elb"
  vpc_id      = "vpc-1"

  port {
    server_port = 8080
    client_port = 80
  }
}
