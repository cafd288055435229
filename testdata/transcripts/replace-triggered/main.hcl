resource "vpcep_service" "api" {
  for_each    = toset(["a", "b"])
  server_type = "LB"
  port_id     = "port-${each.key}"
  vpc_id      = "vpc-1"
  description = "port"

  port {
    server_port = 80
    client_port = 80
  }
}

resource "vpcep_endpoint" "e" {
  for_each   = toset(["a", "b"])
  service_id = "0d500000-0000-4000-8000-00000000000d"
  vpc_id     = "vpc-${each.key}"
  subnet_id  = "subnet-2"

  lifecycle {
    replace_triggered_by  = [vpcep_service.api[each.key].port_id]
    create_before_destroy = false
  }
}
