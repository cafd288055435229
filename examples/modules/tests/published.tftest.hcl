# `vpcep test`: the published-service module on the built-in simulated cloud, in a copy of
# this directory with a cloud and a state of its own (nothing here is read or written).

run "every_service_is_published" {
  assert {
    condition     = length(output.service_names) == 3
    error_message = "expected orders, billing and inventory"
  }

  assert {
    condition     = module.published["orders"].service_name == output.service_names["orders"]
    error_message = "the output does not name the module's service"
  }
}

run "names_are_kept" {
  command = plan

  assert {
    condition     = output.service_names["orders"] == run.every_service_is_published.service_names["orders"]
    error_message = "a plan after apply renames the service"
  }
}

run "a_name_too_long_is_refused" {
  command = plan

  variables {
    services = {
      "a-name-far-too-long-for-a-vpc-endpoint-service-of-the-cloud" = {
        port_id  = "11111111-2222-4333-8444-555555555509"
        partners = []
      }
    }
  }

  expect_failures = [var.name]
}
