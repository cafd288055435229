//! Issue 27: real accounts. Each provider signs in on its own (password, AK/SK, clouds.yaml,
//! through an agency) against `vpcep emulator --iam`, which verifies every identity; the
//! emulator's records say who made each call, and no secret or issued token reaches any file
//! or output.

use super::harness::{EmulatorProcess, Output, Workspace, vpcep};

const OWNER_PROJECT: &str = "0d0e0f000000000000000000000000e1";
const PARTNER_PROJECT: &str = "5f1c0d2e3b4a496877665544332211e1";
const PASSWORD: &str = "pw-7c1e-owner-secret";
const PARTNER_PASSWORD: &str = "pw-d93b-partner-secret";
const ACCESS_KEY: &str = "AKACMEALICE00000001";
const SECRET_KEY: &str = "sk-52aa-owner-secret-key";

/// The accounts of `examples/cross-account/otc`, with this test's own secrets.
fn iam_file(ws: &Workspace) -> String {
    let iam = std::fs::read_to_string(
        super::harness::repo_root().join("examples/cross-account/otc/iam.json"),
    )
    .unwrap()
    .replace("demo-owner-password", PASSWORD)
    .replace("demo-partner-password", PARTNER_PASSWORD)
    .replace("demo-owner-secret-key", SECRET_KEY);
    ws.write("iam.json", &iam);
    ws.path().join("iam.json").display().to_string()
}

/// The otc variant of the cross-account example, in a workspace of its own, and an emulator
/// serving its accounts.
fn setup(extra: &[&str]) -> (Workspace, EmulatorProcess) {
    let example = Workspace::example("cross-account");
    let iam = iam_file(&example);
    let mut args = vec!["--iam", iam.as_str()];
    args.extend(extra);
    let emulator = EmulatorProcess::start(&args);
    let ws = Workspace::new();
    ws.write("main.hcl", &example.read("otc/main.hcl"));
    (ws, emulator)
}

fn get(emulator: &EmulatorProcess, path: &str) -> serde_json::Value {
    let mut answer = ureq::get(format!("http://127.0.0.1:{}{path}", emulator.port))
        .call()
        .unwrap();
    serde_json::from_slice(&answer.body_mut().read_to_vec().unwrap()).unwrap()
}

/// `(method, path, identity)` of every VPCEP call the emulator served.
fn calls(emulator: &EmulatorProcess) -> Vec<(String, String, String)> {
    get(emulator, "/_emulator/calls")
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["method"].as_str().unwrap().to_owned(),
                c["path"].as_str().unwrap().to_owned(),
                c["identity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The tokens IAM issued so far, and every issued secret.
fn issued(emulator: &EmulatorProcess) -> (u64, Vec<String>) {
    let doc = get(emulator, "/_emulator/issued");
    let secrets = doc["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect();
    (doc["tokens"].as_u64().unwrap(), secrets)
}

/// Who made the calls that created each thing: the service, the endpoint, the approval.
fn creators(calls: &[(String, String, String)]) -> (String, String, String) {
    let who = |method: &str, project: &str, ends: &str| {
        calls
            .iter()
            .find(|(m, p, _)| {
                m == method && p.starts_with(&format!("/v1/{project}/")) && p.ends_with(ends)
            })
            .map_or_else(
                || panic!("no {method} …{ends} in {project}: {calls:#?}"),
                |(_, _, who)| who.clone(),
            )
    };
    (
        who("POST", OWNER_PROJECT, "/vpc-endpoint-services"),
        who("POST", PARTNER_PROJECT, "/vpc-endpoints"),
        who("POST", OWNER_PROJECT, "/connections/action"),
    )
}

/// Runs a command and checks its exit code.
fn run(ws: &Workspace, args: &[&str], env: &[(&str, &str)], code: i32, seen: &mut Vec<Output>) {
    let out = vpcep(ws.path(), args, env);
    assert_eq!(out.code, code, "vpcep {args:?}:\n{}", out.transcript());
    seen.push(out);
}

/// No secret is in any output or any file of the workspace (state, backups, plans, logs).
fn assert_nowhere(secrets: &[String], seen: &[Output], ws: &Workspace) {
    assert!(!secrets.is_empty());
    for secret in secrets {
        for out in seen {
            assert!(
                !out.stdout.contains(secret.as_str()) && !out.stderr.contains(secret.as_str()),
                "a secret leaked into the output of a command:\n{}",
                out.transcript()
            );
        }
        let mut dirs = vec![ws.path().to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.file_name().is_some_and(|n| n != "iam.json")
                    && let Ok(bytes) = std::fs::read(&path)
                {
                    assert!(
                        !String::from_utf8_lossy(&bytes).contains(secret.as_str()),
                        "a secret leaked into {}",
                        path.display()
                    );
                }
            }
        }
    }
}

/// The whole workflow with a password and an agency: one saved plan, applied with the
/// password given again, by tokens that live shorter than the apply.
#[test]
fn owner_by_password_and_partner_through_an_agency_in_one_apply() {
    // Tokens live 3 s; creating takes a second and is polled every 2 s, so the apply outlives
    // the tokens it started with and must renew them.
    let (ws, emulator) = setup(&["--token-lifetime", "3s", "--create-delay", "1s"]);
    let url = format!("http://127.0.0.1:{}/v3", emulator.port);
    let env = [
        ("VPCEP_VAR_auth_url", url.as_str()),
        ("VPCEP_VAR_owner_password", PASSWORD),
        ("VPCEP_LOG", "trace"),
    ];
    let mut seen = Vec::new();
    run(
        &ws,
        &["--log-file", "trace.log", "plan", "--out", "p.plan"],
        &env,
        0,
        &mut seen,
    );
    assert!(
        seen[0]
            .stdout
            .contains("Plan: 3 to add, 0 to change, 0 to destroy."),
        "{}",
        seen[0].stdout
    );
    run(&ws, &["show", "p.plan"], &[], 0, &mut seen);
    run(
        &ws,
        &["show", "--format", "json", "p.plan"],
        &[],
        0,
        &mut seen,
    );
    // The plan holds no credentials: without the password, applying it is refused before
    // anything happens, and says how to give it.
    let without = vpcep(ws.path(), &["apply", "p.plan"], &env[..1]);
    assert_eq!(without.code, 1, "{}", without.transcript());
    assert!(
        without.stderr.contains("does not hold the credentials")
            && without.stderr.contains("VPCEP_VAR_owner_password"),
        "{}",
        without.stderr
    );
    assert!(calls(&emulator).iter().all(|(m, _, _)| m == "GET"));
    seen.push(without);
    // What the plan holds is fixed: `--var` may give the password, not change the account.
    let changed = vpcep(
        ws.path(),
        &["apply", "--var", "owner_domain=globex", "p.plan"],
        &env,
    );
    assert_eq!(changed.code, 1, "{}", changed.transcript());
    assert!(
        changed
            .stderr
            .contains("was planned with its own value of `var.owner_domain`"),
        "{}",
        changed.stderr
    );
    seen.push(changed);
    let (before, _) = issued(&emulator);
    // The password given again on the command line rather than in the environment.
    let password = format!("owner_password={PASSWORD}");
    run(
        &ws,
        &[
            "--log-file",
            "trace.log",
            "apply",
            "--var",
            &password,
            "p.plan",
        ],
        &[env[0], env[2]],
        0,
        &mut seen,
    );
    let (after, _) = issued(&emulator);
    // Signing in takes three tokens (the owner's, the user's for the agency, the agency's);
    // more means the apply renewed them as they aged.
    assert!(after - before > 3, "{before} → {after} tokens");
    let (service, endpoint, approval) = creators(&calls(&emulator));
    assert_eq!(service, "user alice of acme");
    assert_eq!(
        endpoint,
        "agency vpcep-admin of globex, assumed by user alice of acme"
    );
    assert_eq!(approval, "user alice of acme");
    run(
        &ws,
        &["plan", "--detailed-exitcode", "--format", "json"],
        &env,
        0,
        &mut seen,
    );
    run(&ws, &["output", "--json"], &[], 0, &mut seen);
    run(&ws, &["show"], &env, 0, &mut seen);
    let state = ws.state();
    assert!(
        state["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["provider"] == "otc.partner"),
        "{state}"
    );
    assert!(ws.read("trace.log").contains("IAM request"));
    let (_, mut secrets) = issued(&emulator);
    secrets.extend([PASSWORD.to_owned()]);
    assert_nowhere(&secrets, &seen, &ws);
}

/// Tokens revoked in the middle of an apply: the next request gets 401, the provider signs in
/// again and sends it once more, and the apply finishes.
#[test]
fn a_token_revoked_during_the_apply_is_renewed_after_the_401() {
    let (ws, emulator) = setup(&["--create-delay", "3s"]);
    let url = format!("http://127.0.0.1:{}/v3", emulator.port);
    let env = [
        ("VPCEP_VAR_auth_url", url.as_str()),
        ("VPCEP_VAR_owner_password", PASSWORD),
    ];
    let apply = super::harness::command(ws.path(), &["apply", "--auto-approve"], &env)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once the service is being created (and the apply waits for it), revoke every token.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !calls(&emulator)
        .iter()
        .any(|(m, p, _)| m == "POST" && p.ends_with("/vpc-endpoint-services"))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the apply never created the service"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let (before, _) = issued(&emulator);
    ureq::post(format!(
        "http://127.0.0.1:{}/_emulator/revoke",
        emulator.port
    ))
    .send_empty()
    .unwrap();
    let out = apply.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let (after, _) = issued(&emulator);
    assert!(after > before, "no token was issued after the revocation");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Apply complete! Resources: 3 added"),
        "{stderr}"
    );
}

/// A wrong password fails before any change, naming the provider and IAM; an agency the
/// partner never made fails naming the alias.
#[test]
fn a_wrong_password_or_agency_fails_before_any_change() {
    let (ws, emulator) = setup(&[]);
    let url = format!("http://127.0.0.1:{}/v3", emulator.port);
    let wrong = "pw-0000-not-the-password";
    let out = vpcep(
        ws.path(),
        &["apply", "--auto-approve"],
        &[
            ("VPCEP_VAR_auth_url", url.as_str()),
            ("VPCEP_VAR_owner_password", wrong),
        ],
    );
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(
        out.stderr
            .contains("provider `otc`: IAM refused the sign-in")
            && out.stderr.contains("HTTP 401")
            && out.stderr.contains("`password`"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(wrong) && !out.stdout.contains(wrong));
    assert!(calls(&emulator).is_empty(), "{:?}", calls(&emulator));
    ws.edit(
        "main.hcl",
        "agency_name        = \"vpcep-admin\"",
        "agency_name        = \"admin\"",
    );
    let out = vpcep(
        ws.path(),
        &["plan"],
        &[
            ("VPCEP_VAR_auth_url", url.as_str()),
            ("VPCEP_VAR_owner_password", PASSWORD),
        ],
    );
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(
        out.stderr
            .contains("provider `otc.partner`: IAM refused the sign-in")
            && out.stderr.contains("HTTP 403")
            && out
                .stderr
                .contains("account `globex` has an agency `admin`"),
        "{}",
        out.stderr
    );
    assert!(!ws.path().join("vpcep.state.json").exists());
}

/// Access keys in the provider block: the owner signs with its key pair (its project found by
/// name), the partner with temporary keys of the agency.
#[test]
fn access_keys_in_the_block_and_temporary_keys_through_the_agency() {
    let (ws, emulator) = setup(&[]);
    let url = format!("http://127.0.0.1:{}/v3", emulator.port);
    let config = ws.read("main.hcl");
    // Key pairs have no token, so no catalog: the endpoint is given.
    let keys = format!(
        "  access_key  = var.access_key\n  secret_key  = var.secret_key\n  endpoint    = \"http://127.0.0.1:{}\"\n",
        emulator.port
    );
    let config = config
        .replace(
            "  domain_name = var.owner_domain\n  user_name   = var.owner_user\n  password    = var.owner_password\n",
            &keys,
        )
        .replace(
            "  domain_name        = var.owner_domain\n  user_name          = var.owner_user\n  password           = var.owner_password\n",
            &keys,
        );
    assert_eq!(config.matches("secret_key  =").count(), 2, "{config}");
    ws.write("main.hcl", &config);
    ws.write(
        "keys.hcl",
        "variable \"access_key\" {\n  type = string\n}\n\nvariable \"secret_key\" {\n  type      = string\n  sensitive = true\n}\n",
    );
    let env = [
        ("VPCEP_VAR_auth_url", url.as_str()),
        ("VPCEP_VAR_owner_password", "unused"),
        ("VPCEP_VAR_access_key", ACCESS_KEY),
        ("VPCEP_VAR_secret_key", SECRET_KEY),
        ("VPCEP_LOG", "trace"),
    ];
    let mut seen = Vec::new();
    run(
        &ws,
        &["--log-file", "trace.log", "apply", "--auto-approve"],
        &env,
        0,
        &mut seen,
    );
    let (service, endpoint, approval) = creators(&calls(&emulator));
    assert_eq!(
        service,
        format!("access key {ACCESS_KEY} of user alice of acme")
    );
    assert_eq!(
        endpoint,
        format!(
            "temporary keys of agency vpcep-admin of globex, assumed by access key {ACCESS_KEY} of user alice of acme"
        )
    );
    assert_eq!(approval, service);
    run(&ws, &["plan", "--detailed-exitcode"], &env, 0, &mut seen);
    let (_, mut secrets) = issued(&emulator);
    secrets.push(SECRET_KEY.to_owned());
    assert_nowhere(&secrets, &seen, &ws);
}

/// `cloud` names a clouds.yaml entry (with its password in secure.yaml); the alias takes the
/// same entry through the agency.
#[test]
fn the_cloud_attribute_takes_a_clouds_yaml_entry() {
    let (ws, emulator) = setup(&[]);
    let url = format!("http://127.0.0.1:{}/v3", emulator.port);
    ws.write(
        "clouds.yaml",
        &format!(
            "clouds:\n  acme:\n    auth:\n      auth_url: {url}\n      username: alice\n      user_domain_name: acme\n      project_name: eu-de\n    region_name: eu-de\n"
        ),
    );
    ws.write(
        "secure.yaml",
        &format!("clouds:\n  acme:\n    auth:\n      password: {PASSWORD}\n"),
    );
    let config = ws
        .read("main.hcl")
        .replace(
            "  region      = \"eu-de\"\n  auth_url    = var.auth_url\n  domain_name = var.owner_domain\n  user_name   = var.owner_user\n  password    = var.owner_password\n",
            "  cloud = \"acme\"\n",
        )
        .replace(
            "  region             = \"eu-de\"\n  auth_url           = var.auth_url\n  domain_name        = var.owner_domain\n  user_name          = var.owner_user\n  password           = var.owner_password\n",
            "  cloud              = \"acme\"\n",
        );
    assert_eq!(config.matches("cloud ").count(), 2, "{config}");
    ws.write("main.hcl", &config);
    let env = [("VPCEP_VAR_owner_password", "unused")];
    let mut seen = Vec::new();
    run(&ws, &["apply", "--auto-approve"], &env, 0, &mut seen);
    let (service, endpoint, _) = creators(&calls(&emulator));
    assert_eq!(service, "user alice of acme");
    assert!(
        endpoint.starts_with("agency vpcep-admin of globex"),
        "{endpoint}"
    );
    let (_, mut secrets) = issued(&emulator);
    secrets.push(PASSWORD.to_owned());
    // secure.yaml holds the password by design; nothing else may.
    std::fs::remove_file(ws.path().join("secure.yaml")).unwrap();
    assert_nowhere(&secrets, &seen, &ws);
}

/// The emulator verifies every identity it accepts: a made-up token, another account's
/// project, an expired token, and (in AK/SK mode) an unsigned request with some token.
#[test]
fn the_emulator_accepts_no_identity_it_has_not_verified() {
    let (ws, emulator) = setup(&["--token-lifetime", "1s"]);
    let base = format!("http://127.0.0.1:{}", emulator.port);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let list = |project: &str, token: &str| {
        agent
            .get(format!("{base}/v1/{project}/vpc-endpoint-services"))
            .header("X-Auth-Token", token)
            .call()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(list(OWNER_PROJECT, "made-up"), 401);
    let answer = agent
        .post(format!("{base}/v3/auth/tokens"))
        .send(
            serde_json::json!({"auth": {
                "identity": {"methods": ["password"], "password": {"user": {
                    "name": "alice", "password": PASSWORD, "domain": {"name": "acme"}}}},
                "scope": {"project": {"name": "eu-de"}}}})
            .to_string(),
        )
        .unwrap();
    assert_eq!(answer.status().as_u16(), 201);
    let token = answer.headers()["x-subject-token"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(list(OWNER_PROJECT, &token), 200);
    assert_eq!(
        list(PARTNER_PROJECT, &token),
        403,
        "another account's project"
    );
    std::thread::sleep(std::time::Duration::from_millis(1200));
    assert_eq!(list(OWNER_PROJECT, &token), 401, "expired");
    drop(ws);

    let keyed = EmulatorProcess::start(&["--access-key", "AK1", "--secret-key", "SK1"]);
    let unsigned = agent
        .post(format!(
            "http://127.0.0.1:{}/v1/{OWNER_PROJECT}/vpc-endpoint-services",
            keyed.port
        ))
        .header("X-Auth-Token", "anything")
        .send("{}")
        .unwrap();
    assert_eq!(
        unsigned.status().as_u16(),
        401,
        "a token where keys are required"
    );
    assert_eq!(keyed.services(OWNER_PROJECT), 0);
}

/// Under `apply --json` a failed sign-in stops with the kind of its cause: IAM's refusal is
/// `cloud_denied`, an IAM that does not answer `cloud_unreachable` (not a usage error).
#[test]
fn a_failed_sign_in_stops_with_the_kind_of_its_cause() {
    let (ws, emulator) = setup(&[]);
    let url = format!("http://127.0.0.1:{}/v3", emulator.port);
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!(
            "http://127.0.0.1:{}/v3",
            listener.local_addr().unwrap().port()
        )
    };
    for (auth_url, password, code) in [
        (url.as_str(), "pw-0000-not-the-password", "cloud_denied"),
        (closed.as_str(), PASSWORD, "cloud_unreachable"),
    ] {
        let out = vpcep(
            ws.path(),
            &["apply", "--auto-approve", "--json"],
            &[
                ("VPCEP_VAR_auth_url", auth_url),
                ("VPCEP_VAR_owner_password", password),
            ],
        );
        assert_eq!(out.code, 1, "{}", out.transcript());
        let last: serde_json::Value =
            serde_json::from_str(out.stdout.lines().last().unwrap()).unwrap();
        assert_eq!(
            (last["type"].as_str(), last["code"].as_str()),
            (Some("diagnostic"), Some(code)),
            "{}",
            out.transcript()
        );
        assert!(last["summary"].as_str().unwrap().contains("IAM"), "{last}");
    }
    assert!(calls(&emulator).is_empty(), "{:?}", calls(&emulator));
}
