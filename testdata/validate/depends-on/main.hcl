resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"
  depends_on = [vpcep_endpoint.e, var.x, "vpcep_service.b"]

  port {
    server_port = 8080
    client_port = 80
  }
}
