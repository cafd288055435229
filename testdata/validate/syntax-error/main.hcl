resource "vpcep_service" "api" {
  server_type = "LB"
  port_id = 
}
