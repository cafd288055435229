# The cross-account workflow with two real identities over HTTP: the owner's account (`acme`)
# signs in with a user name and password, and reaches the partner's account (`globex`) through
# the agency `vpcep-admin` that globex made for acme. One plan shows the service, the partner's
# endpoint and the approval, each in its account; one apply carries them out.
#
# Against the emulator, which serves IAM with the accounts of iam.json:
#
#   vpcep emulator --iam examples/cross-account/otc/iam.json &
#   VPCEP_VAR_owner_password=demo-owner-password vpcep -C examples/cross-account/otc apply
#
# Against Open Telekom Cloud, leave `auth_url` at its default (derived from the region) and
# give your own account names, user and password.

variable "auth_url" {
  description = "IAM's address; the default is the emulator's"
  type        = string
  default     = "http://127.0.0.1:8080/v3"
}

variable "owner_domain" {
  description = "The owner's account name"
  type        = string
  default     = "acme"
}

variable "owner_user" {
  description = "The owner's IAM user"
  type        = string
  default     = "alice"
}

variable "owner_password" {
  description = "The owner's IAM password (never saved in a plan: give it again to apply one)"
  type        = string
  sensitive   = true
}

variable "partner_domain" {
  description = "The partner's account name (it made the agency)"
  type        = string
  default     = "globex"
}

variable "partner_account" {
  description = "The partner's account (domain) ID, for the whitelist"
  type        = string
  default     = "5f1c0d2e3b4a49687766554433221100"
}

provider "otc" {
  region      = "eu-de"
  auth_url    = var.auth_url
  domain_name = var.owner_domain
  user_name   = var.owner_user
  password    = var.owner_password
}

# The same user, acting in the partner's account through the agency the partner made.
provider "otc" {
  alias              = "partner"
  region             = "eu-de"
  auth_url           = var.auth_url
  domain_name        = var.owner_domain
  user_name          = var.owner_user
  password           = var.owner_password
  agency_name        = "vpcep-admin"
  agency_domain_name = var.partner_domain
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

data "vpcep_service_summary" "orders" {
  provider     = otc.partner
  service_name = vpcep_service.orders.service_name
}

resource "vpcep_endpoint" "orders" {
  provider   = otc.partner
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
