# Route tables and a policy are for endpoints of gateway services; a service of this
# configuration is an interface service. Policy effects are "Allow" or "Deny".
resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"

  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_endpoint" "to_api" {
  service_id   = vpcep_service.api.id
  vpc_id       = "vpc-2"
  subnet_id    = "subnet-2"
  route_tables = ["rt-1"]
}

resource "vpcep_endpoint" "storage" {
  service_id   = "0b500000-0000-4000-8000-00000000000b"
  vpc_id       = "vpc-2"
  route_tables = ["rt-1", "rt-1", ""]

  policy_statement {
    effect   = "allow"
    action   = []
    resource = ["bucket/*"]
  }
}

resource "vpcep_endpoint" "open" {
  service_id       = vpcep_service.api.id
  vpc_id           = "vpc-2"
  subnet_id        = "subnet-2"
  whitelist        = ["10.0.0.0/24"]
  enable_whitelist = false
}
