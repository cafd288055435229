variable "ports" {
  type = map(number)
  default = {
    "80"  = 8080
    "443" = 8443
  }
}

variable "statements" {
  type    = any
  default = [{ effect = "Allow", actions = ["obs:object:GetObject"], buckets = ["a", "b"] }]
}

resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"

  dynamic "port" {
    for_each = var.ports
    iterator = p
    content {
      client_port = tonumber(p.key)
      server_port = p.value
    }
  }

  port {
    server_port = 9000
    client_port = 9000
    protocol    = "UDP"
  }
}

resource "vpcep_endpoint" "obs" {
  service_id = "0b500000-0000-4000-8000-00000000000b"
  vpc_id     = "vpc-2"

  dynamic "policy_statement" {
    for_each = var.statements
    content {
      effect   = policy_statement.value.effect
      action   = policy_statement.value.actions
      resource = [for b in policy_statement.value.buckets : "${b}/*"]
    }
  }
}
