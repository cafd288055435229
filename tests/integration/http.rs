//! The `otc` provider against `vpcep emulator` over loopback: every flow of plan and apply,
//! authentication, failure injection, import, and no credential leaks.

use super::harness::{EmulatorProcess, Output, Workspace, service_spec, services_hcl, vpcep};
use vpcep::cloud::Cloud as _;

const PROJECT: &str = "0b2c6f3e8a1d4c7e9f10a2b3c4d5e6f7";
const CONSUMER_PROJECT: &str = "1c2c6f3e8a1d4c7e9f10a2b3c4d5e6f8";
const TOKEN: &str = "tok-3e1f9c7b5a2d4e6f8a0b";
const AK: &str = "AKTESTKEY0001";
const SK: &str = "sk-very-secret-4d2a9e";

/// A copy of an example with its provider replaced by `provider`.
fn example_on(example: &str, provider: &str) -> Workspace {
    let ws = Workspace::example(example);
    let text = ws.read("main.hcl");
    let without = match text.find("provider \"sim\"") {
        Some(start) => {
            let end = start + text[start..].find("\n}\n").unwrap() + 3;
            format!("{}{}", &text[..start], &text[end..])
        }
        None => text,
    };
    ws.write("main.hcl", &format!("{provider}{without}"));
    ws
}

fn token_env() -> Vec<(&'static str, &'static str)> {
    vec![("OS_AUTH_TOKEN", TOKEN)]
}

fn run(
    ws: &Workspace,
    args: &[&str],
    env: &[(&str, &str)],
    code: i32,
    seen: &mut Vec<Output>,
) -> Output {
    let out = vpcep(ws.path(), args, env);
    assert_eq!(
        out.code, code,
        "vpcep {args:?} exited {}:\n{}\n{}",
        out.code, out.stdout, out.stderr
    );
    seen.push(Output {
        code: out.code,
        stdout: out.stdout.clone(),
        stderr: out.stderr.clone(),
    });
    out
}

/// No credential reaches any output or file.
fn assert_no_secrets(seen: &[Output], workspaces: &[&Workspace]) {
    for out in seen {
        for secret in [TOKEN, SK] {
            assert!(
                !out.stdout.contains(secret) && !out.stderr.contains(secret),
                "a credential leaked into output"
            );
        }
    }
    for ws in workspaces {
        for entry in std::fs::read_dir(ws.path()).unwrap() {
            let path = entry.unwrap().path();
            if let Ok(text) = std::fs::read_to_string(&path) {
                for secret in [TOKEN, SK] {
                    assert!(
                        !text.contains(secret),
                        "a credential leaked into {}",
                        path.display()
                    );
                }
            }
        }
    }
}

#[test]
fn the_flows_of_plan_and_apply_work_over_http() {
    let emulator = EmulatorProcess::start(&["--token", TOKEN]);
    let env = token_env();
    let mut seen = Vec::new();
    let ws = example_on("partner-sharing", &emulator.provider(PROJECT));
    let plan = run(&ws, &["plan", "--out", "p.vpcep"], &env, 0, &mut seen);
    assert!(
        plan.stdout
            .contains("Plan: 3 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains(&format!(
            "Using the VPCEP API at http://127.0.0.1:{}",
            emulator.port
        )),
        "{}",
        plan.stdout
    );
    run(&ws, &["apply", "p.vpcep"], &env, 0, &mut seen);
    run(&ws, &["plan", "--detailed-exitcode"], &env, 0, &mut seen);
    let show = run(&ws, &["show"], &env, 0, &mut seen);
    assert!(
        show.stdout.contains("status:        available"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout
            .contains("iam:domain::5f1c0d2e3b4a49687766554433221100"),
        "the whitelist is read back: {}",
        show.stdout
    );
    // What a consumer needs: the endpoint's DNS name and packet ID, read over the API.
    assert!(
        show.stdout.contains("  DNS names:     vpcep-"),
        "{}",
        show.stdout
    );
    assert!(show.stdout.contains("  marker ID:     "), "{}", show.stdout);
    let dns = run(
        &ws,
        &["output", "--raw", "monitoring_dns_name"],
        &env,
        0,
        &mut seen,
    );
    assert!(
        dns.stdout.starts_with("vpcep-") && dns.stdout.ends_with(".sim.internal"),
        "{}",
        dns.stdout
    );

    // In-place updates: tags, whitelist, description.
    ws.edit(
        "main.hcl",
        "service = \"orders\"",
        "service = \"orders\", tier = \"gold\"",
    );
    ws.edit(
        "main.hcl",
        "globex = \"a0b1c2d3e4f5061728394a5b6c7d8e9f\"",
        "initech = \"0123456789abcdef0123456789abcdef\"",
    );
    ws.edit("main.hcl", "Order intake for partners", "Order intake");
    let apply = run(&ws, &["apply", "--auto-approve"], &env, 0, &mut seen);
    assert!(
        apply
            .stdout
            .contains("Resources: 0 added, 1 changed, 0 destroyed."),
        "{}",
        apply.stdout
    );
    run(&ws, &["plan", "--detailed-exitcode"], &env, 0, &mut seen);

    // Immutable port mappings are refused.
    ws.edit("main.hcl", "client_port = 443", "client_port = 4443");
    let refused = run(&ws, &["plan"], &env, 1, &mut seen);
    assert!(
        refused
            .stdout
            .contains("cannot change after the service is created"),
        "{}",
        refused.stdout
    );
    ws.edit("main.hcl", "client_port = 4443", "client_port = 443");

    // Another account's accepted endpoint blocks the delete, naming it.
    let owner = Workspace::new();
    let service = format!(
        "resource \"vpcep_service\" \"shared\" {{\n  server_type = \"LB\"\n  port_id = \"port-shared\"\n  vpc_id = \"v\"\n  approval_enabled = false\n  whitelist = [\"{CONSUMER_PROJECT}\"]\n  port {{\n    server_port = 443\n    client_port = 443\n  }}\n}}\n"
    );
    owner.write(
        "main.hcl",
        &format!("{}{service}", emulator.provider(PROJECT)),
    );
    run(&owner, &["apply", "--auto-approve"], &env, 0, &mut seen);
    let service_id = owner.id_of("vpcep_service.shared");
    let consumer = Workspace::new();
    consumer.write(
        "main.hcl",
        &format!("{}resource \"vpcep_endpoint\" \"e\" {{\n  service_id = \"{service_id}\"\n  vpc_id = \"v\"\n  subnet_id = \"s\"\n}}\n", emulator.provider(CONSUMER_PROJECT)),
    );
    run(&consumer, &["apply", "--auto-approve"], &env, 0, &mut seen);
    let endpoint_id = consumer.id_of("vpcep_endpoint.e");
    owner.write("main.hcl", &emulator.provider(PROJECT));
    let refused = run(&owner, &["plan"], &env, 1, &mut seen);
    assert!(
        refused.stdout.contains(&format!(
            "endpoint {endpoint_id} of account {CONSUMER_PROJECT} is accepted"
        )),
        "{}",
        refused.stdout
    );
    let out = run(&owner, &["apply", "--auto-approve"], &env, 1, &mut seen);
    assert!(!out.stdout.contains("Destroying"), "{}", out.stdout);

    // An error of the API names its code, the operation and the resource.
    let stranger = Workspace::new();
    stranger.write(
        "main.hcl",
        &format!("{}resource \"vpcep_endpoint\" \"e\" {{\n  service_id = \"{service_id}\"\n  vpc_id = \"v\"\n  subnet_id = \"s\"\n}}\n", emulator.provider("9c2c6f3e8a1d4c7e9f10a2b3c4d5e6f9")),
    );
    let failed = run(&stranger, &["apply", "--auto-approve"], &env, 1, &mut seen);
    assert!(
        failed
            .stderr
            .contains("error: vpcep_endpoint.e: EndPoint.2012:"),
        "{}",
        failed.stderr
    );
    assert!(
        failed
            .stderr
            .contains("(POST /v1/9c2c6f3e8a1d4c7e9f10a2b3c4d5e6f9/vpc-endpoints, HTTP 400)"),
        "{}",
        failed.stderr
    );
    assert_no_secrets(&seen, &[&ws, &owner, &consumer, &stranger]);
}

#[test]
fn applying_30_services_with_20_percent_failures_converges_without_duplicates() {
    let emulator = EmulatorProcess::start(&[
        "--error-rate",
        "0.2",
        "--seed",
        "42",
        "--quota-services",
        "100",
    ]);
    let env = token_env();
    let mut seen = Vec::new();
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &format!("{}{}", emulator.provider(PROJECT), services_hcl("f", 30)),
    );
    let apply = run(&ws, &["apply", "--auto-approve"], &env, 0, &mut seen);
    assert!(
        apply.stdout.contains("Apply complete! Resources: 30 added"),
        "{}",
        apply.stdout
    );
    assert_eq!(
        emulator.services(PROJECT),
        30,
        "no service was created twice"
    );
    let plan = run(&ws, &["plan", "--detailed-exitcode"], &env, 0, &mut seen);
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
}

#[test]
fn signed_requests_are_accepted_and_a_wrong_secret_or_token_is_refused() {
    let emulator =
        EmulatorProcess::start(&["--access-key", AK, "--secret-key", SK, "--token", TOKEN]);
    let mut seen = Vec::new();
    let ws = example_on("single-service", &emulator.provider(PROJECT));
    let signed = [("OS_ACCESS_KEY", AK), ("OS_SECRET_KEY", SK)];
    run(&ws, &["apply", "--auto-approve"], &signed, 0, &mut seen);
    run(&ws, &["plan", "--detailed-exitcode"], &signed, 0, &mut seen);

    let wrong = run(
        &ws,
        &["plan"],
        &[("OS_ACCESS_KEY", AK), ("OS_SECRET_KEY", "not-the-secret")],
        1,
        &mut seen,
    );
    assert!(
        wrong.stderr.contains("EndPoint.0003")
            && wrong.stderr.contains("the signature does not match"),
        "{}",
        wrong.stderr
    );
    let bad_token = run(
        &ws,
        &["plan"],
        &[("OS_AUTH_TOKEN", "wrong-token")],
        1,
        &mut seen,
    );
    assert!(
        bad_token
            .stderr
            .contains("Authentication failed: the token is not valid"),
        "{}",
        bad_token.stderr
    );
    assert!(
        bad_token
            .stderr
            .contains("check the provider's credentials"),
        "{}",
        bad_token.stderr
    );
    let none = run(&ws, &["plan"], &[], 1, &mut seen);
    assert!(
        none.stderr.contains("provider `otc` has no credentials"),
        "{}",
        none.stderr
    );
    assert_no_secrets(&seen, &[&ws]);
}

#[test]
fn a_service_created_outside_vpcep_imports_without_changes() {
    use vpcep::cloud::sign::{Credentials, Secret};
    let emulator = EmulatorProcess::start(&["--token", TOKEN]);
    let client = emulator.client(PROJECT, Credentials::Token(Secret::new(TOKEN)));
    let spec = vpcep::cloud::ServiceSpec {
        name: Some("legacy".into()),
        approval_enabled: true,
        ports: vec![vpcep::cloud::PortMapping {
            protocol: "TCP".into(),
            server_port: 8080,
            client_port: 80,
        }],
        whitelist: vec!["iam:domain::0123456789abcdef0123456789abcdef".into()],
        tags: [("team".to_owned(), "legacy".to_owned())]
            .into_iter()
            .collect(),
        description: Some("made by hand".into()),
        ..service_spec("port-legacy", "vpc-legacy", 8080)
    };
    let created = client.create_service(&spec).unwrap();
    let mut seen = Vec::new();
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &format!(
            "{}resource \"vpcep_service\" \"legacy\" {{\n  name = \"legacy\"\n  server_type = \"LB\"\n  port_id = \"port-legacy\"\n  vpc_id = \"vpc-legacy\"\n  whitelist = [\"0123456789abcdef0123456789abcdef\"]\n  tags = {{ team = \"legacy\" }}\n  description = \"made by hand\"\n  port {{\n    server_port = 8080\n    client_port = 80\n  }}\n}}\n",
            emulator.provider(PROJECT)
        ),
    );
    let env = token_env();
    let before = run(&ws, &["plan"], &env, 1, &mut seen);
    assert!(
        before
            .stdout
            .contains("on the backend port-legacy, which the endpoint service"),
        "unmanaged, its backend is taken: {}",
        before.stdout
    );
    let imported = run(
        &ws,
        &["import", "vpcep_service.legacy", &created.id],
        &env,
        0,
        &mut seen,
    );
    assert!(
        imported.stdout.contains("Imported vpcep_service.legacy"),
        "{}",
        imported.stdout
    );
    let plan = run(&ws, &["plan", "--detailed-exitcode"], &env, 0, &mut seen);
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
    let again = run(
        &ws,
        &["import", "vpcep_service.legacy", &created.id],
        &env,
        1,
        &mut seen,
    );
    assert!(
        again.stderr.contains("already in the state"),
        "{}",
        again.stderr
    );
    let missing = run(
        &ws,
        &["import", "vpcep_service.nope", &created.id],
        &env,
        1,
        &mut seen,
    );
    assert!(
        missing.stderr.contains("is not in the configuration"),
        "{}",
        missing.stderr
    );
    assert_no_secrets(&seen, &[&ws]);
}

#[test]
fn quotas_creating_services_and_destroy_over_http() {
    let emulator = EmulatorProcess::start(&["--token", TOKEN]);
    let env = token_env();
    let mut seen = Vec::new();
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &format!("{}{}", emulator.provider(PROJECT), services_hcl("q", 21)),
    );
    let plan = run(&ws, &["plan"], &env, 1, &mut seen);
    assert!(
        plan.stdout
            .contains("this plan needs 21 endpoint services in the account, but its quota is 20"),
        "{}",
        plan.stdout
    );
    ws.write(
        "main.hcl",
        &format!("{}{}", emulator.provider(PROJECT), services_hcl("q", 3)),
    );
    run(&ws, &["apply", "--auto-approve"], &env, 0, &mut seen);
    let destroy = run(&ws, &["destroy", "--auto-approve"], &env, 0, &mut seen);
    assert!(
        destroy
            .stdout
            .contains("Destroy complete! Resources: 3 destroyed."),
        "{}",
        destroy.stdout
    );
    assert_eq!(emulator.services(PROJECT), 0);

    let slow = EmulatorProcess::start(&["--token", TOKEN, "--create-delay", "1h"]);
    let ws = Workspace::new();
    let service = services_hcl("slow", 1).replace(
        "  port {",
        "  timeouts {\n    create = \"1s\"\n  }\n  port {",
    );
    ws.write("main.hcl", &format!("{}{service}", slow.provider(PROJECT)));
    let apply = run(&ws, &["apply", "--auto-approve"], &env, 1, &mut seen);
    assert!(apply.stdout.contains("timed out"), "{}", apply.stdout);
    ws.write("main.hcl", &slow.provider(PROJECT));
    let plan = run(&ws, &["plan"], &env, 1, &mut seen);
    assert!(
        plan.stdout
            .contains("is still being created (status `creating`)"),
        "{}",
        plan.stdout
    );
    assert_no_secrets(&seen, &[&ws]);
}

#[test]
fn an_endpoint_to_a_service_that_does_not_exist_is_refused_at_plan() {
    // The consumer's plan looks other accounts' services up (`describe`) before anything is
    // created: a wrong ID is refused at plan, not found out half-way through apply.
    let emulator = EmulatorProcess::start(&["--token", TOKEN]);
    let env = token_env();
    let mut seen = Vec::new();
    let owner = Workspace::new();
    owner.write(
        "main.hcl",
        &format!("{}{}", emulator.provider(PROJECT), services_hcl("o", 1)),
    );
    run(&owner, &["apply", "--auto-approve"], &env, 0, &mut seen);
    let service = owner.id_of("vpcep_service.o0");
    let missing = "ffffffff-0000-4000-8000-000000000000";
    let consumer = Workspace::new();
    consumer.write(
        "main.hcl",
        &format!(
            "{}resource \"vpcep_endpoint\" \"real\" {{\n  service_id = \"{service}\"\n  vpc_id = \"vpc-c\"\n  subnet_id = \"subnet-c\"\n}}\nresource \"vpcep_endpoint\" \"wrong\" {{\n  service_id = \"{missing}\"\n  vpc_id = \"vpc-c\"\n  subnet_id = \"subnet-c\"\n}}\n",
            emulator.provider(CONSUMER_PROJECT)
        ),
    );
    let plan = run(&consumer, &["plan"], &env, 1, &mut seen);
    assert!(
        plan.stdout.contains(&format!(
            "`vpcep_endpoint.wrong` connects to the endpoint service {missing}, which does not exist"
        )),
        "{}",
        plan.stdout
    );
    assert!(
        !plan.stdout.contains("`vpcep_endpoint.real` connects"),
        "{}",
        plan.stdout
    );
    assert_no_secrets(&seen, &[&owner, &consumer]);
}
