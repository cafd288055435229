resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"

  port {
    server_port = 8080
    client_port = 80
  }
}

# The source still exists.
moved {
  from = vpcep_service.api
  to   = vpcep_service.renamed
}

# A move changes no type.
moved {
  from = vpcep_service.old
  to   = vpcep_endpoint.api
}

# Moves that go round.
moved {
  from = vpcep_service.x
  to   = vpcep_service.y
}

moved {
  from = vpcep_service.y
  to   = vpcep_service.x
}

moved {
  from = "vpcep_service.old"
  to   = vpcep_service.api
}

removed {
  from = vpcep_service.api
  lifecycle {
    destroy = false
  }
}

import {
  to = vpcep_service.missing
  id = "0b5e0b5e-0000-4a00-8000-000000000001"
}

import {
  to = vpcep_service.api
  id = ""
}
