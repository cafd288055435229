variable "n" {
  type    = number
  default = 12
}

resource "vpcep_service" "svc" {
  count       = var.n
  name        = format("svc-%02d", count.index)
  server_type = "LB"
  port_id     = "port-${count.index}"
  vpc_id      = "vpc-1"

  port {
    server_port = 8000 + count.index
    client_port = 80
  }
}

resource "vpcep_endpoint" "first" {
  service_id = vpcep_service.svc[0].id
  vpc_id     = "vpc-2"
  subnet_id  = "subnet-2"
}

output "names" {
  value = vpcep_service.svc[*].name
}
