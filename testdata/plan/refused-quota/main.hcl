resource "vpcep_service" "s0" {
  name        = "s0"
  server_type = "LB"
  port_id     = "port-s0"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s1" {
  name        = "s1"
  server_type = "LB"
  port_id     = "port-s1"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s2" {
  name        = "s2"
  server_type = "LB"
  port_id     = "port-s2"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s3" {
  name        = "s3"
  server_type = "LB"
  port_id     = "port-s3"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s4" {
  name        = "s4"
  server_type = "LB"
  port_id     = "port-s4"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s5" {
  name        = "s5"
  server_type = "LB"
  port_id     = "port-s5"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s6" {
  name        = "s6"
  server_type = "LB"
  port_id     = "port-s6"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s7" {
  name        = "s7"
  server_type = "LB"
  port_id     = "port-s7"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s8" {
  name        = "s8"
  server_type = "LB"
  port_id     = "port-s8"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s9" {
  name        = "s9"
  server_type = "LB"
  port_id     = "port-s9"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s10" {
  name        = "s10"
  server_type = "LB"
  port_id     = "port-s10"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s11" {
  name        = "s11"
  server_type = "LB"
  port_id     = "port-s11"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s12" {
  name        = "s12"
  server_type = "LB"
  port_id     = "port-s12"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s13" {
  name        = "s13"
  server_type = "LB"
  port_id     = "port-s13"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s14" {
  name        = "s14"
  server_type = "LB"
  port_id     = "port-s14"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s15" {
  name        = "s15"
  server_type = "LB"
  port_id     = "port-s15"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s16" {
  name        = "s16"
  server_type = "LB"
  port_id     = "port-s16"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s17" {
  name        = "s17"
  server_type = "LB"
  port_id     = "port-s17"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s18" {
  name        = "s18"
  server_type = "LB"
  port_id     = "port-s18"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s19" {
  name        = "s19"
  server_type = "LB"
  port_id     = "port-s19"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

resource "vpcep_service" "s20" {
  name        = "s20"
  server_type = "LB"
  port_id     = "port-s20"
  vpc_id      = "vpc-1"
  port {
    server_port = 8080
    client_port = 80
  }
}

