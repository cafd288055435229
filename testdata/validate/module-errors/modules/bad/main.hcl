provider "sim" {}

resource "vpcep_service" "x" {
  server_type = "XX"
  port_id     = "p"
  vpc_id      = "v"

  port {
    server_port = 80
    client_port = 80
  }
}
