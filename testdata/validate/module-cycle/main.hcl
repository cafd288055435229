locals {
  name = module.echo.value
}

module "echo" {
  source = "./modules/echo"
  value  = local.name
}
