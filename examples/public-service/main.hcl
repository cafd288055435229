# An endpoint to a service the cloud's operators publish for every account.
#
# Object storage (OBS) and DNS are public VPC endpoint services: nobody in your account
# creates them, and every account may connect to them without approval. The data source finds
# the object storage gateway by name (the match ignores case and takes part of the name),
# and the endpoint connects this VPC to it. The built-in simulated cloud publishes an
# OBS-like gateway service and a DNS-like interface service. Run:
#
#   vpcep -C examples/public-service plan

variable "vpc_id" {
  description = "The VPC whose subnets reach object storage through the endpoint"
  type        = string
  default     = "3e2f7a10-4b5c-4d6e-8f90-a1b2c3d4e5f6"
}

variable "bucket" {
  description = "The only bucket the VPC may read and write through the endpoint"
  type        = string
  default     = "orders-exports"
}

data "vpcep_public_services" "object_storage" {
  service_name = "obs"
}

# A gateway endpoint adds routes to the VPC's route tables (its default table unless
# `route_tables` names others) and lets through what its policy allows.
resource "vpcep_endpoint" "object_storage" {
  service_id = data.vpcep_public_services.object_storage.ids[0]
  vpc_id     = var.vpc_id

  policy_statement {
    effect   = "Allow"
    action   = ["obs:object:GetObject", "obs:object:PutObject"]
    resource = ["${var.bucket}/*"]
  }

  tags = {
    purpose = "object-storage"
  }
}

output "object_storage_service" {
  description = "The public service the endpoint connects to"
  value       = data.vpcep_public_services.object_storage.services[0].service_name
}

output "object_storage_route_tables" {
  description = "The route tables the endpoint added routes to"
  value       = vpcep_endpoint.object_storage.route_tables
}
