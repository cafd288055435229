# A fleet of endpoint services generated from one map.
#
# Each entry of `var.services` becomes `vpcep_service.fleet["<key>"]`. Adding an entry adds a
# service; removing one deletes it (unless it still has accepted connections: vpcep refuses).

variable "environment" {
  description = "Short environment name; service names get it as a suffix (names are at most 16 characters)"
  type        = string
  default     = "stg"
}

variable "services" {
  description = "Backend per service: the ELB port, VPC and port mappings"
  type        = map(any)
  default = {
    inventory = {
      port_id     = "0a000000-0000-4000-8000-000000000001"
      server_port = 8080
      client_port = 80
    }
    pricing = {
      port_id     = "0a000000-0000-4000-8000-000000000002"
      server_port = 9000
      client_port = 443
    }
    search = {
      port_id     = "0a000000-0000-4000-8000-000000000003"
      server_port = 9200
      client_port = 9200
    }
  }
}

locals {
  vpc_id = "0b000000-0000-4000-8000-00000000000b"
  common_tags = {
    environment = var.environment
    managed-by  = "vpcep"
    cost-center = "cc-4711"
  }
}

resource "vpcep_service" "fleet" {
  for_each = var.services

  name        = format("%s-%s", each.key, var.environment)
  server_type = "LB"
  port_id     = each.value.port_id
  vpc_id      = local.vpc_id

  port {
    server_port = each.value.server_port
    client_port = each.value.client_port
  }

  approval_enabled = false
  tags             = merge(local.common_tags, { service = each.key })
}

output "service_names" {
  value = { for key, svc in vpcep_service.fleet : key => svc.service_name }
}
