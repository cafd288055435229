//! Data sources through the binary, on the simulator and over the emulator: a partner finds
//! the owner's service by its name and connects to it; a lookup that finds nothing or several
//! is an error naming its filter; a data source whose arguments are known only after apply is
//! read then, and the plan says so.

use super::harness::{EmulatorProcess, Workspace, vpcep};

const OWNER: &str = "1111111111111111111111111111aaaa";
const PARTNER: &str = "2222222222222222222222222222bbbb";

fn sim_provider(cloud: &std::path::Path, domain: &str) -> String {
    format!(
        "provider \"sim\" {{\n  path      = \"{}\"\n  domain_id = \"{domain}\"\n}}\n",
        cloud.display()
    )
}

/// The owner publishes `orders` (whitelisted for the partner, approval needed) and reads its
/// connections (known only after apply: the service does not exist when planning).
fn owner(provider: &str) -> String {
    format!(
        "{provider}\nresource \"vpcep_service\" \"orders\" {{\n  name        = \"orders\"\n  server_type = \"LB\"\n  port_id     = \"port-orders\"\n  vpc_id      = \"vpc-owner\"\n  whitelist   = [\"{PARTNER}\"]\n\n  port {{\n    server_port = 8443\n    client_port = 443\n  }}\n}}\n\n\
         data \"vpcep_service_connections\" \"orders\" {{\n  service_id = vpcep_service.orders.id\n}}\n\n\
         output \"service_name\" {{\n  value = vpcep_service.orders.service_name\n}}\n\n\
         output \"connections\" {{\n  value = length(data.vpcep_service_connections.orders.connections)\n}}\n"
    )
}

/// The partner finds the service by its full name and creates an endpoint to it.
fn partner(provider: &str) -> String {
    format!(
        "{provider}\nvariable \"orders\" {{\n  type = string\n}}\n\n\
         data \"vpcep_service_summary\" \"orders\" {{\n  service_name = var.orders\n}}\n\n\
         resource \"vpcep_endpoint\" \"orders\" {{\n  service_id = data.vpcep_service_summary.orders.id\n  vpc_id     = \"vpc-partner\"\n  subnet_id  = \"subnet-partner\"\n  enable_dns = true\n}}\n\n\
         output \"service_type\" {{\n  value = data.vpcep_service_summary.orders.service_type\n}}\n\n\
         output \"dns_name\" {{\n  value = vpcep_endpoint.orders.dns_names[0]\n}}\n"
    )
}

/// The whole flow with the given providers and environment.
fn partner_finds_the_owners_service(
    owner_provider: &str,
    partner_provider: &str,
    env: &[(&str, &str)],
) {
    let (o, p) = (Workspace::new(), Workspace::new());
    o.write("main.hcl", &owner(owner_provider));
    p.write("main.hcl", &partner(partner_provider));
    let run = |ws: &Workspace, args: &[&str], code: i32| {
        let out = vpcep(ws.path(), args, env);
        assert_eq!(out.code, code, "vpcep {args:?}:\n{}", out.transcript());
        out
    };
    let plan = run(&o, &["plan"], 0);
    assert!(
        plan.stdout.contains(
            "# data.vpcep_service_connections.orders will be read during apply\n  # (its arguments depend on values known only after apply)\n <= data \"vpcep_service_connections\" \"orders\" {\n        service_id = (known after apply)\n    }"
        ),
        "{}",
        plan.stdout
    );
    let applied = run(&o, &["apply", "--auto-approve"], 0);
    assert!(
        applied.stdout.contains("connections = 0"),
        "{}",
        applied.stdout
    );
    run(&o, &["plan", "--detailed-exitcode"], 0);
    let name = run(&o, &["output", "--raw", "service_name"], 0).stdout;

    // The partner: a name that matches nothing is an error naming the filter.
    let missing = run(&p, &["plan", "--var", "orders=eu-de.nothing.0000"], 1);
    assert!(
        missing.stderr.contains(
            "`data.vpcep_service_summary.orders`: no endpoint service matches service_name = \"eu-de.nothing.0000\""
        ),
        "{}",
        missing.stderr
    );
    let var = format!("orders={name}");
    let planned = run(&p, &["plan", "--var", &var], 0);
    assert!(
        planned
            .stdout
            .contains("vpcep_endpoint.orders will be created"),
        "{}",
        planned.stdout
    );
    assert!(
        !planned.stdout.contains("will be read during apply"),
        "read while planning: {}",
        planned.stdout
    );
    let applied = run(&p, &["apply", "--auto-approve", "--var", &var], 0);
    assert!(
        applied.stdout.contains("service_type = \"interface\""),
        "{}",
        applied.stdout
    );
    assert!(
        applied.stdout.contains("dns_name = \"vpcep-"),
        "{}",
        applied.stdout
    );
    run(&p, &["plan", "--detailed-exitcode", "--var", &var], 0);

    // The owner's data source now sees the partner's connection, pending its approval.
    let again = run(&o, &["apply", "--auto-approve"], 0);
    assert!(again.stdout.contains("connections = 1"), "{}", again.stdout);
}

#[test]
fn a_partner_finds_the_owners_service_by_name_on_the_simulator() {
    let cloud = tempfile::tempdir().unwrap();
    let db = cloud.path().join("cloud.db");
    partner_finds_the_owners_service(&sim_provider(&db, OWNER), &sim_provider(&db, PARTNER), &[]);
}

#[test]
fn a_partner_finds_the_owners_service_by_name_over_the_api() {
    let emulator = EmulatorProcess::start(&["--token", "data-source-token"]);
    partner_finds_the_owners_service(
        &emulator.provider(OWNER),
        &emulator.provider(PARTNER),
        &[("OS_AUTH_TOKEN", "data-source-token")],
    );
}

#[test]
fn lookups_filter_and_refuse_to_guess() {
    let cloud = tempfile::tempdir().unwrap();
    let db = cloud.path().join("cloud.db");
    let ws = Workspace::new();
    let provider = sim_provider(&db, OWNER);
    let service = |name: &str, team: &str, port: u16| {
        format!(
            "resource \"vpcep_service\" \"{name}\" {{\n  name        = \"{name}\"\n  server_type = \"LB\"\n  port_id     = \"port-{name}\"\n  vpc_id      = \"vpc-1\"\n  tags        = {{ team = \"{team}\" }}\n\n  port {{\n    server_port = {port}\n    client_port = 80\n  }}\n}}\n"
        )
    };
    let services = [
        service("svc-a", "ops", 8001),
        service("svc-b", "ops", 8002),
        service("other", "dev", 8003),
    ]
    .concat();
    ws.write("main.hcl", &format!("{provider}{services}"));
    ws.expect(&["apply", "--auto-approve"], 0);

    let reads = "data \"vpcep_services\" \"ops\" {\n  name = \"svc-\"\n  tags = { team = \"ops\" }\n}\n\
                 data \"vpcep_service\" \"other\" {\n  name = \"other\"\n}\n\
                 data \"vpcep_endpoints\" \"none\" {\n  vpc_id = \"vpc-nowhere\"\n}\n\
                 data \"vpcep_quotas\" \"here\" {}\n\
                 output \"ops\" {\n  value = length(data.vpcep_services.ops.ids)\n}\n\
                 output \"other_port\" {\n  value = data.vpcep_service.other.port[0].server_port\n}\n\
                 output \"endpoints\" {\n  value = data.vpcep_endpoints.none.ids\n}\n\
                 output \"services_used\" {\n  value = data.vpcep_quotas.here.services_used\n}\n";
    ws.write("reads.hcl", reads);
    let out = ws.expect(&["apply", "--auto-approve"], 0);
    for line in [
        "ops = 2",
        "other_port = 8003",
        "endpoints = []",
        "services_used = 3",
    ] {
        assert!(out.stdout.contains(line), "no `{line}` in:\n{}", out.stdout);
    }

    // One service by a name several have: an error that names the filter and the services.
    ws.write(
        "reads.hcl",
        "data \"vpcep_service\" \"ambiguous\" {\n  name = \"svc-a\"\n}\n",
    );
    ws.expect(&["plan"], 0);
    ws.edit(
        "main.hcl",
        "name        = \"svc-b\"",
        "name        = \"svc-a\"",
    );
    ws.expect(&["apply", "--auto-approve"], 0);
    let several = ws.expect(&["plan"], 1);
    assert!(
        several
            .stderr
            .contains("2 endpoint services of this account match name = \"svc-a\""),
        "{}",
        several.stderr
    );
    assert!(
        several.stderr.contains("use `vpcep_services` for several"),
        "{}",
        several.stderr
    );
    assert!(
        several.stderr.contains("reads.hcl:1:1"),
        "{}",
        several.stderr
    );
}

/// The public-service example: the operators' object storage gateway, found by name, on the
/// simulator and over the API (where the emulator serves `.../vpc-endpoint-services/public`).
#[test]
fn the_public_service_example_connects_to_the_operators_gateway() {
    let sim = Workspace::example("public-service");
    let out = sim.expect(&["apply", "--auto-approve"], 0);
    assert!(
        out.stdout.contains(
            "object_storage_service = \"sim-1.obs.0b500000-0000-4000-8000-00000000000b\""
        ),
        "{}",
        out.stdout
    );
    sim.expect(&["plan", "--detailed-exitcode"], 0);
    sim.expect(&["destroy", "--auto-approve"], 0);

    let emulator = EmulatorProcess::start(&[]);
    let api = Workspace::example("public-service");
    api.write("provider.hcl", &emulator.provider(PARTNER));
    let env = [("OS_AUTH_TOKEN", "any")];
    let out = vpcep(api.path(), &["apply", "--auto-approve"], &env);
    assert_eq!(out.code, 0, "{}", out.transcript());
    let show = vpcep(api.path(), &["show"], &env);
    assert!(
        show.stdout
            .contains("(sim-1.obs.0b500000-0000-4000-8000-00000000000b)"),
        "{}",
        show.stdout
    );
    // A name no public service has: the list is empty, and taking its first element is the
    // configuration's error, reported at the reference.
    api.edit(
        "main.hcl",
        "service_name = \"obs\"",
        "service_name = \"nothing-like-this\"",
    );
    let out = vpcep(api.path(), &["plan"], &env);
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(out.stderr.contains("main.hcl:"), "{}", out.stderr);
}
