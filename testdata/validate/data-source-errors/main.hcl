# Every mistake a data block can have, each reported where it is.

data "vpcep_service_sumary" "typo" {}

data "vpcep_service" "neither" {}

data "vpcep_service" "both" {
  id   = "a"
  name = "b"
}

data "vpcep_service_summary" "wrong_type" {
  service_name = ["a"]
}

data "vpcep_services" "bad_tags" {
  tags = "team=ops"
}

data "vpcep_service_connections" "no_service" {}

data "vpcep_quotas" "q" {
  region = "eu-de"
}

data "vpcep_quotas" "q" {}

output "nope" {
  value = data.vpcep_quotas.q.free
}

output "undeclared" {
  value = data.vpcep_endpoints.all.ids
}

provider "sim" {
  path = data.vpcep_quotas.q.services_used
}
