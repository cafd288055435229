terraform {
  required_providers {
    huaweicloud = {
      source = "huaweicloud/huaweicloud"
    }
  }
}

provider "huaweicloud" {
  region     = "eu-de"
  auth_url   = var.auth_url
  access_key = var.access_key
  secret_key = var.secret_key
  project_id = "0d0e0f000000000000000000000000e1"
  endpoints = {
    vpcep = var.vpcep_endpoint
  }
  enterprise_project_id = "0"
}

# The backend server stays in Terraform.
resource "huaweicloud_compute_instance" "backend" {
  name      = "orders"
  flavor_id = "s6.small.1"
}

# Orders: TCP and UDP, open to a partner account; approval stays at the provider's default (off).
resource "huaweicloud_vpcep_service" "orders" {
  name        = "orders"
  server_type = "VM"
  vpc_id      = var.vpc_id
  port_id     = huaweicloud_compute_instance.backend.network[0].port
  permissions = ["iam:domain::5f1c0d2e3b4a49687766554433221100"]
  description = "Order intake"
  tags        = { team = "orders" }

  port_mapping {
    service_port  = 8080
    terminal_port = 80
  }
  port_mapping {
    protocol      = "UDP"
    service_port  = 5353
    terminal_port = 53
  }
}

resource "huaweicloud_vpcep_service" "internal" {
  count = 2

  name        = "internal-${count.index}"
  server_type = "VM"
  vpc_id      = var.vpc_id
  port_id     = "port-internal-${count.index}"
  approval    = true

  port_mapping {
    service_port  = 9000
    terminal_port = 9000
  }
}

# enable_dns stays at the provider's default (on).
resource "huaweicloud_vpcep_endpoint" "client" {
  service_id = huaweicloud_vpcep_service.internal[0].id
  vpc_id     = var.vpc_id
  network_id = var.subnet_id
}

resource "huaweicloud_vpcep_approval" "internal" {
  service_id = huaweicloud_vpcep_service.internal[0].id
  endpoints  = [huaweicloud_vpcep_endpoint.client.id]
}

variable "auth_url" {
  default = "https://iam.eu-de.otc.t-systems.com/v3"
}
variable "vpcep_endpoint" {
  default = "https://vpcep.eu-de.otc.t-systems.com"
}
variable "access_key" {}
variable "secret_key" {
  sensitive = true
}
variable "vpc_id" {
  default = "66666666-7777-4888-9999-000000000000"
}
variable "subnet_id" {
  default = "12121212-3434-4565-8787-909090909090"
}

output "client_address" {
  value = huaweicloud_vpcep_endpoint.client.ip_address
}
