output "api_id" {
  value = opentelekomcloud_vpcep_service_v1.api.id
}

output "reporting_address" {
  value = opentelekomcloud_vpcep_endpoint_v1.reporting.port_ip
}
