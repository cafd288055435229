terraform {
  required_version = ">= 1.0"
}

resoruce "vpcep_service" "x" {}
