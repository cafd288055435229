output "label" {
  value = "first"
}
