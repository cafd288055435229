variable "ports" {
  type    = list(number)
  default = [80, 443]
}

resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"

  dynamic "ports" {
    for_each = var.ports
    content {
      server_port = ports.value
    }
  }

  dynamic "port" {
    for_each = var.ports
    iterator = "p"
    content {
      server_port = p.value
      client_port = p.value
    }
  }

  dynamic "port" {
    for_each = var.ports
    content {
      server_port = port.value
      client    = port.value
    }
  }

  dynamic "port" {
    for_each = "80"
    content {
      server_port = 1
      client_port = 1
    }
  }

  dynamic "port" {
    for_each = var.ports
    content {
      server_port = var.missing
      client_port = port.value
    }
  }
}
