variable "client_port" {
  type = number
}

variable "tags" {
  type    = map(string)
  default = {}
}
