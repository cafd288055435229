variable "a" {
  type    = strng
  default = var.b
}

variable "b" {
  type    = list(number)
  default = ["x"]
  validation {
  }
}
