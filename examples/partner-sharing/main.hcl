# A service shared with two partner accounts.
#
# The partners' accounts are whitelisted, every connection needs approval, and this account
# runs its own consumer endpoint too (e.g. for monitoring). The approval resource accepts
# exactly the endpoints listed in `var.approved_endpoints` plus our own monitoring endpoint.

variable "partner_accounts" {
  description = "Domain (account) IDs of the partners allowed to connect"
  type        = map(string)
  default = {
    acme   = "5f1c0d2e3b4a49687766554433221100"
    globex = "a0b1c2d3e4f5061728394a5b6c7d8e9f"
  }
}

variable "approved_endpoints" {
  description = "IDs of partner endpoints the service owner has agreed to accept"
  type        = list(string)
  default     = []
}

locals {
  tags = {
    team   = "integrations"
    shared = "partners"
  }
}

provider "sim" {
  path      = ".vpcep/cloud.db"
  domain_id = "0d0e0f00000000000000000000000001"
}

resource "vpcep_service" "orders" {
  name        = "orders-api"
  description = "Order intake for partners"
  server_type = "LB"
  port_id     = "11111111-2222-4333-8444-555555555555"
  vpc_id      = "66666666-7777-4888-9999-000000000000"

  port {
    server_port = 8080
    client_port = 80
  }

  port {
    server_port = 8443
    client_port = 443
  }

  approval_enabled = true
  # Bare IDs and "iam:domain::<id>" are both accepted; vpcep stores the long form.
  whitelist = values(var.partner_accounts)
  tags      = merge(local.tags, { service = "orders" })
}

# Our own consumer endpoint, in the monitoring VPC.
resource "vpcep_endpoint" "monitoring" {
  service_id = vpcep_service.orders.id
  vpc_id     = "abababab-cdcd-4efe-8f0f-101010101010"
  subnet_id  = "12121212-3434-4565-8787-909090909090"
  enable_dns = true
  tags       = local.tags
}

resource "vpcep_approval" "orders" {
  service_id = vpcep_service.orders.id
  endpoints  = concat([vpcep_endpoint.monitoring.id], var.approved_endpoints)
}

output "orders_service_name" {
  value = vpcep_service.orders.service_name
}

output "monitoring_dns_name" {
  description = "The private DNS name our monitoring reaches the service by"
  value       = vpcep_endpoint.monitoring.dns_names[0]
}
