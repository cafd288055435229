provider "otc" {
  endpoint_url = "https://example"
}
