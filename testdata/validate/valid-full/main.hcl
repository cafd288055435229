variable "accounts" {
  type    = list(string)
  default = ["0123456789abcdef0123456789abcdef"]
}

locals {
  tags = { team = "payments", env = "prod" }
  services = {
    billing = { port_id = "elb-1", port = 443 }
    ledger  = { port_id = "elb-2", port = 8443 }
  }
}

provider "sim" {
  create_delay   = "2s"
  quota_services = 30
}

backend "local" {
  path = "state/vpcep.state.json"
}

resource "vpcep_service" "svc" {
  for_each    = local.services
  name        = "${each.key}-api"
  server_type = "LB"
  port_id     = each.value.port_id
  vpc_id      = "vpc-1"
  whitelist   = var.accounts
  tags        = merge(local.tags, { service = each.key })
  description = format("%s service on port %d", upper(each.key), each.value.port)

  port {
    server_port = each.value.port
    client_port = 443
  }

  timeouts {
    create = "5m"
    delete = "90s"
  }
}

resource "vpcep_endpoint" "billing" {
  service_id = vpcep_service.svc["billing"].id
  vpc_id     = "vpc-2"
  subnet_id  = "subnet-2"
  whitelist  = ["10.0.0.0/16"]
  depends_on = [vpcep_service.svc]
}

resource "vpcep_approval" "billing" {
  service_id = vpcep_service.svc["billing"].id
  endpoints  = [vpcep_endpoint.billing.id]
}

output "names" {
  value = [for k in keys(local.services) : vpcep_service.svc[k].service_name]
}
