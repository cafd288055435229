removed {
  from = vpcep_service.other
}
