terraform {
  required_providers {
    opentelekomcloud = {
      source  = "opentelekomcloud/opentelekomcloud"
      version = ">= 1.36.27"
    }
  }
  backend "s3" {
    bucket = "tf-state"
    key    = "vpcep/terraform.tfstate"
    region = "eu-de"
  }
}

provider "opentelekomcloud" {
  auth_url    = var.auth_url
  domain_name = "acme"
  user_name   = "alice"
  password    = var.password
  tenant_name = "eu-de"
  max_retries = 3
}

locals {
  common_tags = {
    team = "payments"
    env  = terraform.workspace
  }
}

# The load balancer stays in Terraform; the API service publishes its VIP port.
resource "opentelekomcloud_lb_loadbalancer_v2" "lb" {
  name          = "payments"
  vip_subnet_id = var.subnet_id
}

data "opentelekomcloud_vpc_subnet_v1" "shared" {
  name = "shared"
}

# The partners' API: open to one partner account, no approval.
resource "opentelekomcloud_vpcep_service_v1" "api" {
  name             = "payments-api"
  server_type      = "LB"
  port_id          = opentelekomcloud_lb_loadbalancer_v2.lb.vip_port_id
  vpc_id           = var.vpc_id
  approval_enabled = false
  whitelist        = [var.partner_account]
  tags             = local.common_tags

  port {
    client_port = 443
    server_port = 8443
  }
  port {
    protocol    = "TCP"
    client_port = 80
    server_port = 8080
  }
}

# One service per team; approval stays at the provider's default (on).
resource "opentelekomcloud_vpcep_service_v1" "team" {
  for_each = var.teams

  name        = each.key
  server_type = "VM"
  port_id     = each.value
  vpc_id      = var.vpc_id
  tags        = merge(local.common_tags, { owner = each.key })

  port {
    client_port = 80
    server_port = 8080
  }

  lifecycle {
    prevent_destroy = true
  }
}

resource "opentelekomcloud_vpcep_endpoint_v1" "reporting" {
  service_id = opentelekomcloud_vpcep_service_v1.team["reporting"].id
  vpc_id     = var.vpc_id
  subnet_id  = data.opentelekomcloud_vpc_subnet_v1.shared.network_id
  enable_dns = true
  tags       = local.common_tags
  depends_on = [opentelekomcloud_lb_loadbalancer_v2.lb]
}

resource "opentelekomcloud_vpcep_approval_v1" "reporting" {
  service_id = opentelekomcloud_vpcep_service_v1.team["reporting"].id
  endpoints  = [opentelekomcloud_vpcep_endpoint_v1.reporting.id]
}
