use super::*;

fn convert_one(text: &str) -> Conversion {
    convert(&[TfSource {
        name: "main.tf".into(),
        text: text.into(),
    }])
}

#[test]
fn hcl_literals_escape_interpolation() {
    let v = serde_json::json!({"a": "x${y}", "b c": [1, true, null]});
    assert_eq!(
        hcl_literal(&v, 0),
        "{\n  a = \"x$${y}\"\n  \"b c\" = [1, true, null]\n}"
    );
}

#[test]
fn a_huawei_service_reads_as_vpceps() {
    let c = convert_one(
        r#"
provider "huaweicloud" {
  region     = "eu-de"
  access_key = var.ak
  endpoints = { vpcep = "http://localhost" }
}
# the API
resource "huaweicloud_vpcep_service" "api" {
  server_type = "LB"
  vpc_id = "v"
  port_id = huaweicloud_lb_loadbalancer.lb.vip_port_id
  permissions = ["iam:domain::abc"]
  port_mapping {
    service_port  = 8080
    terminal_port = 80
  }
}
resource "huaweicloud_lb_loadbalancer" "lb" {
  name = "x"
}
output "name" { value = huaweicloud_vpcep_service.api.permissions }
"#,
    );
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let text = &c.files[0].1;
    for want in [
        "provider \"otc\" {\n  profile    = \"huawei\"",
        "endpoint   = \"http://localhost\"",
        "# the API\nresource \"vpcep_service\" \"api\" {",
        "port_id     = var.lb_vip_port_id",
        "whitelist   = [\"iam:domain::abc\"]",
        "port {\n    server_port = 8080\n    client_port = 80\n  }",
        "approval_enabled = false",
        "# huaweicloud_lb_loadbalancer.lb stays in Terraform",
        "value = vpcep_service.api.whitelist",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    assert_eq!(c.inputs.len(), 1);
    assert_eq!(
        c.inputs[0].origin(),
        "huaweicloud_lb_loadbalancer.lb.vip_port_id"
    );
}
