resource "vpcep_service" "api" {
  server_type = "VIP"
  port_id     = "port-api"
  vpc_id      = "vpc-1"

  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "bms" {
  server_type = "BMS"
  port_id     = "p2"
  vpc_id      = "vpc-1"

  port {
    server_port = 8080
    client_port = 80
  }
}
