# A published endpoint service: the service, its whitelist of partner accounts, and the
# approval of the partner endpoints the owner has agreed to. Called once per service.

variable "name" {
  description = "The service's name (1-16 letters, digits, _ or -)"
  type        = string

  validation {
    condition     = length(var.name) <= 16
    error_message = "a service name has at most 16 characters"
  }
}

variable "port_id" {
  description = "The backend: the load balancer's port ID"
  type        = string
}

variable "vpc_id" {
  description = "The VPC of the backend"
  type        = string
}

variable "partners" {
  description = "Partner account (domain) IDs allowed to connect"
  type        = list(string)
  default     = []
}

variable "approved_endpoints" {
  description = "Partner endpoint IDs the owner accepts"
  type        = list(string)
  default     = []
}

variable "ports" {
  description = "client port => server port"
  type        = map(number)
  default     = { "443" = 8443 }
}

resource "vpcep_service" "this" {
  name             = var.name
  server_type      = "LB"
  port_id          = var.port_id
  vpc_id           = var.vpc_id
  approval_enabled = true
  whitelist        = var.partners
  tags             = { service = var.name }

  dynamic "port" {
    for_each = var.ports
    content {
      client_port = tonumber(port.key)
      server_port = port.value
    }
  }
}

resource "vpcep_approval" "this" {
  service_id = vpcep_service.this.id
  endpoints  = var.approved_endpoints
}

output "id" {
  value = vpcep_service.this.id
}

output "service_name" {
  description = "The name partners look the service up by"
  value       = vpcep_service.this.service_name
}
