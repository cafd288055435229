variable "service_name" {
  type    = string
  default = "orders-api-for-every-partner"

  validation {
    condition     = length(var.service_name) <= 16
    error_message = "a service name has at most 16 characters"
  }
}

variable "port" {
  type = number

  validation {
    condition     = var.port >= 1 && var.port <= 65535
    error_message = "a port is between 1 and 65535"
  }
}

variable "team" {
  type     = string
  nullable = false
}

variable "region" {
  type    = string
  default = "eu-de"

  validation {
    condition     = local.allowed
    error_message = "unused"
  }

  validation {
    condition     = var.region
    error_message = "unused"
  }

  validation {
    condition = true
  }
}

locals {
  allowed = true
}
