# One endpoint service published from an elastic load balancer.
#
# Consumers in other VPCs of this account can reach the service on port 443 through a VPC
# endpoint; the load balancer listens on 8443. Run:
#
#   vpcep -C examples/single-service validate
#   vpcep -C examples/single-service plan

provider "sim" {
  # The built-in simulated cloud keeps its resources in this file (relative to this directory).
  path = ".vpcep/cloud.db"
}

resource "vpcep_service" "billing" {
  name        = "billing-api"
  description = "Internal billing API behind the payments ELB"

  server_type = "LB"
  # The VIP port of the elastic load balancer and the VPC it lives in.
  port_id = "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"
  vpc_id  = "3e2f7a10-4b5c-4d6e-8f90-a1b2c3d4e5f6"

  # Port mappings cannot change after the service is created: plan them carefully.
  port {
    protocol    = "TCP"
    server_port = 8443 # the port the backend listens on
    client_port = 443  # the port consumers connect to
  }

  # Only endpoints of this account may connect; they still need approval.
  approval_enabled = true

  tags = {
    team        = "payments"
    environment = "production"
  }

  lifecycle {
    prevent_destroy = true
  }
}

output "billing_service_name" {
  description = "What consumers put in their endpoint's service name"
  value       = vpcep_service.billing.service_name
}
