variable "port_id" {
  type = number
}
