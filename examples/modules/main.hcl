# One pattern, stamped out: the module `modules/published-service` (a service, its whitelist
# and its approval) is called for every entry of `var.services` with `for_each`, and once more
# for a service of a second account, passed the account's provider with `providers`.
#
#   vpcep -C examples/modules plan
#
# Addresses carry the module instance: module.published["orders"].vpcep_service.this. To
# rename an instance without touching the cloud, change its key and add a `moved` block:
#
#   moved {
#     from = module.published["orders"]
#     to   = module.published["orders-eu"]
#   }

variable "services" {
  description = "The services to publish, by name"
  type        = any
  default = {
    orders = {
      port_id  = "11111111-2222-4333-8444-555555555501"
      partners = ["5f1c0d2e3b4a49687766554433221100"]
    }
    billing = {
      port_id  = "11111111-2222-4333-8444-555555555502"
      partners = []
    }
  }
}

provider "sim" {
  path      = ".vpcep/cloud.db"
  domain_id = "0d0e0f00000000000000000000000001"
}

provider "sim" {
  alias     = "emea"
  path      = ".vpcep/cloud.db"
  domain_id = "0e0e0f00000000000000000000000002"
}

module "published" {
  source   = "./modules/published-service"
  for_each = var.services

  name     = each.key
  port_id  = each.value.port_id
  vpc_id   = "66666666-7777-4888-9999-000000000000"
  partners = each.value.partners
}

module "published_emea" {
  source    = "./modules/published-service"
  providers = { sim = sim.emea }

  name    = "inventory"
  port_id = "11111111-2222-4333-8444-555555555503"
  vpc_id  = "66666666-7777-4888-9999-000000000001"
  ports   = { "443" = 8443, "80" = 8080 }
}

output "service_names" {
  description = "Each published service's name, for partners"
  value = merge(
    { for name, m in module.published : name => m.service_name },
    { inventory = module.published_emea.service_name },
  )
}
