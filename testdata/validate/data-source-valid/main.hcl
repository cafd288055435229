# Data sources validate without reading the cloud: what they read is unknown until plan.

variable "partner_service" {
  type    = string
  default = "sim-1.orders.2c8d775b-3e82-46d4-b587-bd05a58333dd"
}

data "vpcep_service_summary" "orders" {
  service_name = var.partner_service
}

data "vpcep_services" "team" {
  for_each = toset(["ops", "dev"])
  name     = "svc-"
  tags     = { team = each.key }
}

data "vpcep_quotas" "here" {}

resource "vpcep_endpoint" "orders" {
  service_id = data.vpcep_service_summary.orders.id
  vpc_id     = "vpc-1"
  subnet_id  = "subnet-1"
}

output "team_services" {
  value = { for k, d in data.vpcep_services.team : k => d.ids }
}

output "free_endpoints" {
  value = data.vpcep_quotas.here.endpoints_quota - data.vpcep_quotas.here.endpoints_used
}
