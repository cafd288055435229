resource "vpcep_endpoint" "e" {
  service_id = vpcep_service.api.id
  vpc_id     = 42
  subnet_id  = "s"
  enable_dns = "yes"
}
