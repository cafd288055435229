resource "vpcep_service" "api" {
  server_type = "LB"
  port {
    client_port = 80
  }
}
