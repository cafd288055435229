resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"
  whitelist = ["0123456789abcdef0123456789abcdef", "iam:domain::0123456789ABCDEF0123456789ABCDEF"]

  port {
    server_port = 8080
    client_port = 80
  }
}
