resource "vpcep_endpoint" "e" {
  service_id = "external-service-id"
  vpc_id     = "v"
  whitelist  = [for i in range(21) : "10.0.${i}.0/24"]
}
