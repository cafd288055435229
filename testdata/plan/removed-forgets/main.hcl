removed {
  from = vpcep_service.legacy

  lifecycle {
    destroy = false
  }
}
