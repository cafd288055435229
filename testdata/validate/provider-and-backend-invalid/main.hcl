provider "aws" {}

provider "sim" {
  domain_id    = "not-an-id"
  create_delay = "soon"
  quota_services = -1
}

provider "otc" {}

backend "s3" {}

backend "local" {
  path = vpcep_service.x.id
}
