# Two services from a map, an endpoint to each, one approval, and an explicit dependency.

variable "services" {
  type = map(number)
  default = {
    "orders" = 8080
    "stock"  = 8081
  }
}

resource "vpcep_service" "api" {
  for_each    = var.services
  name        = each.key
  server_type = "LB"
  port_id     = "11111111-2222-4333-8444-555555555555"
  vpc_id      = "66666666-7777-4888-9999-000000000000"

  port {
    server_port = each.value
    client_port = 80
  }

  approval_enabled = true
}

resource "vpcep_service" "audit" {
  name        = "audit"
  server_type = "LB"
  port_id     = "11111111-2222-4333-8444-555555555556"
  vpc_id      = "66666666-7777-4888-9999-000000000000"

  port {
    server_port = 9000
    client_port = 90
  }
}

resource "vpcep_endpoint" "to" {
  for_each   = var.services
  service_id = vpcep_service.api[each.key].id
  vpc_id     = "abababab-cdcd-4efe-8f0f-101010101010"
  subnet_id  = "12121212-3434-4565-8787-909090909090"
  depends_on = [vpcep_service.audit]
}

resource "vpcep_approval" "orders" {
  service_id = vpcep_service.api["orders"].id
  endpoints  = [vpcep_endpoint.to["orders"].id]
}
