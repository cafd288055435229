# Two services on one backend: allowed, because their server ports differ.
resource "vpcep_service" "http" {
  server_type = "LB"
  port_id     = "shared-elb"
  vpc_id      = "vpc-1"

  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "https" {
  server_type = "LB"
  port_id     = "shared-elb"
  vpc_id      = "vpc-1"

  port {
    server_port = 8443
    client_port = 443
  }
  port {
    protocol    = "UDP"
    server_port = 8080
    client_port = 8080
  }
}
