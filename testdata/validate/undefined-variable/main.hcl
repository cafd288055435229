variable "vpc" {
  default = "vpc-1"
}

resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = var.vpcs

  port {
    server_port = 8080
    client_port = 80
  }
}
