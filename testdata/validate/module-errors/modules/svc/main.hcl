variable "name" {
  type = string
}

variable "port_id" {
  type = string
}

resource "vpcep_service" "this" {
  name        = var.name
  server_type = "LB"
  port_id     = var.port_id
  vpc_id      = "vpc-1"

  port {
    server_port = 80
    client_port = 80
  }
}

output "id" {
  value = vpcep_service.this.id
}
