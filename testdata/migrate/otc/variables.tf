variable "auth_url" {
  type    = string
  default = "https://iam.eu-de.otc.t-systems.com/v3"
}

variable "password" {
  type      = string
  sensitive = true
}

variable "vpc_id" {
  type    = string
  default = "66666666-7777-4888-9999-000000000000"
}

variable "subnet_id" {
  type    = string
  default = "12121212-3434-4565-8787-909090909090"
}

variable "partner_account" {
  description = "The partner's account (domain) ID"
  type        = string
  default     = "5f1c0d2e3b4a49687766554433221100"
}

variable "teams" {
  description = "Each team's backend port"
  type        = map(string)
  default = {
    reporting = "port-reporting"
    billing   = "port-billing"
  }
}
