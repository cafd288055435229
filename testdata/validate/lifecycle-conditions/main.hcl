variable "min_port" {
  type    = number
  default = 9000
}

resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"

  port {
    server_port = 8080
    client_port = 80
  }

  lifecycle {
    precondition {
      condition     = 8080 >= var.min_port
      error_message = "the backend port must be at least ${var.min_port}"
    }

    precondition {
      condition     = self.status == "available"
      error_message = "self is only for postconditions"
    }

    precondition {
      condition     = "yes"
      error_message = "not a bool"
    }

    postcondition {
      condition = true
    }
  }
}
