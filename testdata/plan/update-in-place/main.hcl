resource "vpcep_service" "api" {
  name        = "api"
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"
  approval_enabled = false
  whitelist   = ["0123456789abcdef0123456789abcdef", "*"]
  tags        = { team = "payments", env = "prod" }
  description = "A payments API that is described in a sentence long enough to be diffed line by line"
  tcp_proxy   = "toa_open"
  port {
    server_port = 8080
    client_port = 80
  }
}

