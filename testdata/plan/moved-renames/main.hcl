resource "vpcep_service" "payments" {
  name        = "api"
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"
  tags        = { team = "billing" }

  port {
    server_port = 8080
    client_port = 80
  }
}

moved {
  from = vpcep_service.api
  to   = vpcep_service.payments
}
