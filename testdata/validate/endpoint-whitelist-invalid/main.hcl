resource "vpcep_endpoint" "e" {
  service_id = "external-service-id"
  vpc_id     = "v"
  port_ip    = "10.0.0.300"
  whitelist  = ["10.0.0.0/24", "10.0.0.0/33", "example.com", "10.0.0.0/24"]
}
