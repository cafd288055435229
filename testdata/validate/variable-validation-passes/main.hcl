variable "port" {
  type    = number
  default = 443

  validation {
    condition     = var.port >= 1 && var.port <= 65535
    error_message = "a port is between 1 and 65535"
  }
}

# Null given for a variable that is not nullable: its default.
variable "team" {
  type     = string
  default  = "payments"
  nullable = false
}
