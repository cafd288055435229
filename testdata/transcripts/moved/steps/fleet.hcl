resource "vpcep_service" "fleet" {
  for_each    = toset(["port"])
  server_type = "LB"
  port_id     = "${each.key}"
  vpc_id      = "vpc-1"

  port {
    server_port = 80
    client_port = 80
  }
}

moved {
  from = vpcep_service.new
  to   = vpcep_service.fleet["port"]
}
