# Provider aliases: each mistake reported where it is written.

provider "sim" {
  alias     = "partner"
  domain_id = "5f1c0d2e3b4a49687766554433221100"
}

provider "sim" {
  alias     = "partner"
  domain_id = "a0b1c2d3e4f5061728394a5b6c7d8e9f"
}

provider "otc" {
  alias      = var.name
  project_id = "0123456789abcdef0123456789abcdef"
  region     = "eu-de"
}

variable "name" {
  default = "x"
}

resource "vpcep_service" "unknown_alias" {
  provider    = sim.nobody
  server_type = "LB"
  port_id     = "p1"
  vpc_id      = "v1"

  port {
    server_port = 1
    client_port = 1
  }
}

resource "vpcep_service" "quoted" {
  provider    = "sim.partner"
  server_type = "LB"
  port_id     = "p2"
  vpc_id      = "v1"

  port {
    server_port = 2
    client_port = 2
  }
}

data "vpcep_quotas" "other_type" {
  provider = otc.partner
}
