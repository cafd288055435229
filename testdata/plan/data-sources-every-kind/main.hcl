# Every data source, read while planning from a fresh simulated cloud: its public services,
# the account's (empty) services and endpoints, and its quotas. What they read shows in the
# JSON plan's planned outputs.

data "vpcep_public_services" "storage" {
  service_name = "OBS"
}

data "vpcep_service_summary" "storage" {
  service_name = data.vpcep_public_services.storage.services[0].service_name
}

data "vpcep_services" "mine" {
  name = "orders"
}

data "vpcep_endpoints" "mine" {
  status = "accepted"
}

data "vpcep_quotas" "here" {}

resource "vpcep_endpoint" "storage" {
  service_id = data.vpcep_service_summary.storage.id
  vpc_id     = "vpc-1"
}

output "storage" {
  value = {
    id   = data.vpcep_service_summary.storage.id
    type = data.vpcep_service_summary.storage.service_type
  }
}

output "counts" {
  value = {
    services  = length(data.vpcep_services.mine.ids)
    endpoints = length(data.vpcep_endpoints.mine.ids)
    free      = data.vpcep_quotas.here.endpoints_quota - data.vpcep_quotas.here.endpoints_used
  }
}
