variable "port_id" {
  type = string
}

variable "client_port" {
  type = number
}

variable "tags" {
  type    = map(string)
  default = {}
}

resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = var.port_id
  vpc_id      = "vpc-1"
  tags = var.tags

  port {
    server_port = 8080
    client_port = var.client_port
  }
}
