# The owner publishes a service; its partner connects through the agency the partner made.
variable "auth_url" {
  default = "https://iam.eu-de.otc.t-systems.com/v3"
}

variable "password" {
  sensitive = true
}

provider "opentelekomcloud" {
  region      = "eu-de"
  auth_url    = var.auth_url
  domain_name = "acme"
  user_name   = "alice"
  password    = var.password
}

provider "opentelekomcloud" {
  alias              = "partner"
  region             = "eu-de"
  auth_url           = var.auth_url
  domain_name        = "acme"
  user_name          = "alice"
  password           = var.password
  agency_name        = "vpcep-admin"
  agency_domain_name = "globex"
}

resource "opentelekomcloud_vpcep_service_v1" "orders" {
  name        = "orders"
  description = "Order intake for the partner"
  server_type = "LB"
  port_id     = "11111111-2222-4333-8444-555555555555"
  vpc_id      = "66666666-7777-4888-9999-000000000000"
  whitelist   = ["5f1c0d2e3b4a49687766554433221100"]

  port {
    server_port = 8443
    client_port = 443
  }
}

resource "opentelekomcloud_vpcep_endpoint_v1" "orders" {
  provider   = opentelekomcloud.partner
  service_id = opentelekomcloud_vpcep_service_v1.orders.id
  vpc_id     = "abababab-cdcd-4efe-8f0f-101010101010"
  subnet_id  = "12121212-3434-4565-8787-909090909090"
  enable_dns = true
}

resource "opentelekomcloud_vpcep_approval_v1" "orders" {
  service_id = opentelekomcloud_vpcep_service_v1.orders.id
  endpoints  = [opentelekomcloud_vpcep_endpoint_v1.orders.id]
}

output "partner_dns_name" {
  value = opentelekomcloud_vpcep_endpoint_v1.orders.dns_names[0]
}
