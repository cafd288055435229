variable "a" {
  default = 1
}

variable "a" {
  default = 2
}

locals {
  x = 1
}

locals {
  x = 2
}
