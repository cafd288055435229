removed {
  from = vpcep_service.kept

  lifecycle {
    destroy = false
  }
}

# What the account holds, whether this configuration manages it or not.
data "vpcep_services" "all" {}

output "services_in_the_account" {
  value = length(data.vpcep_services.all.ids)
}
