locals {
  nothing_works = try(tonumber("x"), regex("z", "abc"))
  no_file       = file("missing.json")
  bad_template  = templatefile("bad.tpl", {})
  bad_path      = path.modules
  bad_cidr      = cidrsubnet("10.0.0.0/30", 4, 0)
}

output "all" {
  value = [local.nothing_works, local.no_file, local.bad_template, local.bad_path, local.bad_cidr]
}
