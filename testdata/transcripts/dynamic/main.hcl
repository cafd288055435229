variable "ports" {
  type    = map(number)
  default = { "80" = 8080, "443" = 8443 }
}

resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"

  dynamic "port" {
    for_each = var.ports
    iterator = p
    content {
      client_port = tonumber(p.key)
      server_port = p.value
    }
  }
}

resource "vpcep_endpoint" "own" {
  service_id = vpcep_service.api.id
  vpc_id     = "vpc-2"
  subnet_id  = "subnet-2"

  dynamic "policy_statement" {
    for_each = []
    content {
      effect   = "Allow"
      action   = ["x"]
      resource = [vpcep_service.api.id]
    }
  }
}
