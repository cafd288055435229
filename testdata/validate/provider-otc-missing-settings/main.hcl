provider "otc" {
  endpoint_url = "https://example"
}

provider "otc" {
  alias    = "partner"
  password = "x"
}
