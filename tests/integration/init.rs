//! `vpcep init`: the backend and the provider checked and reported, the `PostgreSQL` schema made,
//! and nothing changed by running it again.

use super::harness::{EmulatorProcess, Workspace, services_hcl, vpcep};

#[test]
fn init_reaches_the_api_with_the_credentials_and_says_when_it_cannot() {
    let emulator = EmulatorProcess::start(&["--token", "tok-init"]);
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &format!(
            "{}{}",
            emulator.provider("0b2c6f3e8a1d4c7e9f10a2b3c4d5e6f8"),
            services_hcl("i", 1)
        ),
    );
    let out = vpcep(ws.path(), &["init"], &[("OS_AUTH_TOKEN", "tok-init")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("0 of "), "{}", out.stdout);
    let wrong = vpcep(ws.path(), &["init"], &[("OS_AUTH_TOKEN", "tok-wrong")]);
    assert_eq!(wrong.code, 1);
    assert!(
        wrong.stderr.contains("cannot be reached"),
        "{}",
        wrong.stderr
    );
    assert!(!wrong.stderr.contains("tok-wrong"), "{}", wrong.stderr);
    let none = vpcep(ws.path(), &["init"], &[]);
    assert_eq!(none.code, 1);
    assert!(
        none.stderr.contains("has no credentials"),
        "{}",
        none.stderr
    );
}

#[test]
fn init_makes_the_postgresql_schema() {
    let Some(url) = super::pg::pg_url() else {
        return;
    };
    let schema = format!("vpcep_test_init_{}", std::process::id());
    let drop = |url: &str| {
        if let Ok(mut c) = postgres::Client::connect(url, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    };
    drop(&url);
    let ws = Workspace::new();
    ws.write(
        "main.hcl",
        &format!(
            "backend \"pg\" {{\n  schema_name = \"{schema}\"\n}}\n{}",
            services_hcl("p", 1)
        ),
    );
    for _ in 0..2 {
        let out = vpcep(ws.path(), &["init"], &[("VPCEP_PG_CONN_STR", &url)]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.contains("no state yet"), "{}", out.stdout);
    }
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let made: bool = client
        .query_one(
            &format!("SELECT to_regclass('{schema}.states') IS NOT NULL"),
            &[],
        )
        .unwrap()
        .get(0);
    drop(&url);
    assert!(made, "init made the schema's tables");
}
