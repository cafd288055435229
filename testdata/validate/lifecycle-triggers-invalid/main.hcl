resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"

  port {
    server_port = 8080
    client_port = 80
  }

  lifecycle {
    replace_triggered_by  = [vpcep_service.missing, "vpcep_service.api", var.x]
    create_before_destroy = "yes"
  }
}

resource "vpcep_endpoint" "e" {
  service_id = vpcep_service.api.id
  vpc_id     = "vpc-2"
  subnet_id  = "subnet-2"

  lifecycle {
    replace_triggered_by = vpcep_service.api
  }
}
