# Two services on one load balancer: allowed, their server ports differ.
resource "vpcep_service" "http" {
  server_type = "LB"
  port_id     = "port-elb"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "https" {
  server_type = "LB"
  port_id     = "port-elb"
  vpc_id      = "vpc-1"
  port {
    server_port = 8443
    client_port = 443
  }
}
