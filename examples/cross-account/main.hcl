# The whole cross-account workflow in one configuration, reviewed as one change.
#
# The owner's account publishes `orders` and whitelists the partner's account; the partner's
# account finds the service by its name (as a partner without access to the owner's state
# does), creates an endpoint to it, and the owner approves exactly that endpoint. One plan
# shows all three changes, each in its account; one apply carries them out in order (service,
# endpoint, approval), and `destroy` takes them down in reverse. The two accounts here are two
# accounts of the built-in simulated cloud; with `provider "otc"` they are two project IDs.
#
#   vpcep -C examples/cross-account plan

variable "owner_account" {
  description = "The owner's account (domain) ID"
  type        = string
  default     = "0d0e0f00000000000000000000000001"
}

variable "partner_account" {
  description = "The partner's account (domain) ID"
  type        = string
  default     = "5f1c0d2e3b4a49687766554433221100"
}

provider "sim" {
  path      = ".vpcep/cloud.db"
  domain_id = var.owner_account
}

provider "sim" {
  alias     = "partner"
  path      = ".vpcep/cloud.db"
  domain_id = var.partner_account
}

resource "vpcep_service" "orders" {
  name        = "orders"
  description = "Order intake for the partner"
  server_type = "LB"
  port_id     = "11111111-2222-4333-8444-555555555555"
  vpc_id      = "66666666-7777-4888-9999-000000000000"
  whitelist   = [var.partner_account]

  port {
    server_port = 8443
    client_port = 443
  }
}

# The partner's lookup: any account can describe a service by its full name.
data "vpcep_service_summary" "orders" {
  provider     = sim.partner
  service_name = vpcep_service.orders.service_name
}

resource "vpcep_endpoint" "orders" {
  provider   = sim.partner
  service_id = data.vpcep_service_summary.orders.id
  vpc_id     = "abababab-cdcd-4efe-8f0f-101010101010"
  subnet_id  = "12121212-3434-4565-8787-909090909090"
  enable_dns = true
}

resource "vpcep_approval" "orders" {
  service_id = vpcep_service.orders.id
  endpoints  = [vpcep_endpoint.orders.id]
}

output "partner_dns_name" {
  description = "What the partner's applications connect to"
  value       = vpcep_endpoint.orders.dns_names[0]
}
