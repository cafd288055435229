resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"
  lifecycle {
    prevent_destroy = "yes"
    ignore_changes  = [tags]
  }
  timeouts {
    create = "10 minutes please"
    read   = "1m"
  }

  port {
    server_port = 8080
    client_port = 80
  }
}
