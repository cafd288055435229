resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"
  tags = { for i in range(21) : "tag${i}" => "v" }

  port {
    server_port = 8080
    client_port = 80
  }
}
