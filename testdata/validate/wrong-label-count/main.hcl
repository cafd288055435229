resource "vpcep_service" {
}

variable {}
