resource "vpcep_service" "both" {
  count       = 2
  for_each    = toset(["a"])
  server_type = "LB"
  port_id     = "port-both"
  vpc_id      = "vpc-1"

  port {
    server_port = 80
    client_port = 80
  }
}

resource "vpcep_service" "negative" {
  count       = -1
  server_type = "LB"
  port_id     = "port-negative"
  vpc_id      = "vpc-1"

  port {
    server_port = 80
    client_port = 80
  }
}

resource "vpcep_service" "counted" {
  count       = 2
  name        = each.key
  server_type = "LB"
  port_id     = "port-${count.index}"
  vpc_id      = "vpc-1"

  port {
    server_port = 80
    client_port = 80
  }
}

resource "vpcep_endpoint" "e" {
  service_id = vpcep_service.counted.id
  vpc_id     = "vpc-${count.index}"
  subnet_id  = "subnet-1"
}

resource "vpcep_endpoint" "f" {
  service_id = vpcep_service.counted[5].id
  vpc_id     = "vpc-2"
  subnet_id  = "subnet-1"
}
