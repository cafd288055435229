# The default account may hold one endpoint service: the plan of three is refused before
# anything is made, as the cloud would refuse it.

provider "sim" {
  quota_services = 1
}

run "more_services_than_the_quota" {
  command         = plan
  expect_failures = [quota]
}
