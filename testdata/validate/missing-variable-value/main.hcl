variable "backend_port_id" {
  type        = string
  description = "ELB port"
}

resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = var.backend_port_id
  vpc_id      = "vpc-1"

  port {
    server_port = 8080
    client_port = 80
  }
}
