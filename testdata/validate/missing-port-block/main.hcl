resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "p"
  vpc_id      = "v"
}
