resource "vpcep_services" "api" {
}
