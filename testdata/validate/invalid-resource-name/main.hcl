resource "vpcep_service" "9lives" {
}
