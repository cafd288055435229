variable "port_id" {
  type = string
}

resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = var.port_id
  vpc_id      = "vpc-1"

  port {
    server_port = 8080
    client_port = 80
  }
}
