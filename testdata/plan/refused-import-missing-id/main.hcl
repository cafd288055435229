resource "vpcep_service" "adopted" {
  name        = "adopted"
  server_type = "LB"
  port_id     = "port-adopted"
  vpc_id      = "vpc-1"
  tags        = { team = "billing" }

  port {
    server_port = 8080
    client_port = 80
  }
}

import {
  to = vpcep_service.adopted
  id = "0b5e0b5e-0000-4a00-8000-00000000dead"
}
