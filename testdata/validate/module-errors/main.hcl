module "missing_dir" {
  source = "./modules/nothing-here"
}

module "registry" {
  source = "terraform-aws-modules/vpc/aws"
}

module "no_name" {
  source  = "./modules/svc"
  port_id = "port-1"
  colour  = "blue"
}

module "both" {
  source   = "./modules/svc"
  count    = 2
  for_each = toset(["a"])
  name     = "x"
  port_id  = "port-2"
}

module "loop" {
  source = "./modules/loop"
}

module "bad" {
  source = "./modules/bad"
}

module "ok" {
  source  = "./modules/svc"
  name    = "ok"
  port_id = "port-3"
}

output "nope" {
  value = module.ok.nope
}

output "unknown_module" {
  value = module.nothing.id
}
