//! The application layer in-process, as the command line uses it: it plans through the same
//! path (lock, refresh, evaluate, plan) and never prints — warnings, notes and texts to redact
//! reach the observer, a stop is a `Failure` value.

use super::harness::Workspace;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vpcep::app::{self, Env, Observer, PlanSettings};
use vpcep::diag::Diagnostic;

/// Keeps what the application layer reports.
#[derive(Default, Clone)]
struct Heard(Arc<Mutex<Vec<String>>>);

impl Observer for Heard {
    fn diagnostics(&self, diagnostics: &[Diagnostic]) {
        let mut heard = self.0.lock().unwrap();
        heard.extend(
            diagnostics
                .iter()
                .map(|d| format!("diagnostic: {}", d.message)),
        );
    }
    fn note(&self, text: &str) {
        self.0.lock().unwrap().push(format!("note: {text}"));
    }
    fn secrets(&self, secrets: &[String]) {
        let mut heard = self.0.lock().unwrap();
        heard.extend(secrets.iter().map(|s| format!("secret: {s}")));
    }
}

fn env(ws: &Workspace, heard: &Heard) -> Env {
    Env {
        rate: vpcep::cloud::rate::RateSettings::default(),
        test_cloud: None,
        dir: ws.path().to_path_buf(),
        chdir: None,
        env_vars: Vec::new(),
        auth_env: vpcep::cloud::auth::AuthEnv::default(),
        pg_conn_str: None,
        workspace: vpcep::model::DEFAULT_WORKSPACE.to_owned(),
        observer: Box::new(heard.clone()),
    }
}

fn settings() -> PlanSettings {
    PlanSettings {
        refresh_only: false,
        forget_missing: false,
        refresh: true,
        saving: false,
        options: vpcep::plan::PlanOptions::default(),
        state: None,
        lock_timeout: Duration::ZERO,
    }
}

#[test]
fn plans_in_process_and_reports_to_its_observer() {
    let ws = Workspace::example("partner-sharing");
    let heard = Heard::default();
    let planned =
        app::plan(&env(&ws, &heard), &[], &settings(), "plan").unwrap_or_else(|f| panic!("{f}"));
    let counts = planned.plan.counts();
    assert_eq!((counts.add, counts.change, counts.destroy), (3, 0, 0));
    drop(planned);

    // A deprecated server type is a warning: the observer hears it, the plan is still made.
    ws.edit("main.hcl", "server_type = \"LB\"", "server_type = \"VIP\"");
    let heard = Heard::default();
    let planned = app::plan(&env(&ws, &heard), &[], &settings(), "plan");
    assert!(planned.is_ok(), "a warning does not stop the plan");
    let heard_now = heard.0.lock().unwrap().clone();
    assert!(
        heard_now
            .iter()
            .any(|h| h.starts_with("diagnostic: ") && h.contains("deprecated")),
        "{heard_now:?}"
    );
    drop(planned);

    // An invalid configuration is a Failure carrying its diagnostics; nothing was printed.
    ws.edit("main.hcl", "server_port", "server_prot");
    let Err(failure) = app::plan(&env(&ws, &Heard::default()), &[], &settings(), "plan") else {
        panic!("an invalid configuration plans");
    };
    assert_eq!(
        failure.kind,
        app::FailureKind::ConfigurationInvalid,
        "{failure}"
    );
    assert!(
        failure
            .diagnostics
            .iter()
            .any(|d| d.message.contains("server_prot")),
        "{:?}",
        failure.diagnostics
    );
}

/// The state commands' edits are use cases of the application layer: their stops have kinds
/// (a held lock, a file of another configuration), and what they change goes through one gate
/// that writes the next serial.
#[test]
fn state_edits_are_use_cases_whose_stops_have_kinds() {
    use app::state_edit::{self, StateRequest};
    use vpcep::model::refactor::Target;
    let ws = Workspace::example("single-service");
    assert_eq!(ws.run(&["apply", "--auto-approve"]).code, 0);
    let heard = Heard::default();
    let request = StateRequest {
        path: None,
        lock_timeout: Duration::ZERO,
    };
    let target = |s: &str| s.parse::<Target>().unwrap();
    let serial = || {
        let text = ws.read("vpcep.state.json");
        serde_json::from_str::<serde_json::Value>(&text).unwrap()["serial"]
            .as_u64()
            .unwrap()
    };

    // Held by another command: the edit stops as `state_locked`, and the state is as it was.
    let before = serial();
    {
        let _held = vpcep::state::local::LocalState::open(
            &ws.path().join("vpcep.state.json"),
            Some(("test", Duration::ZERO)),
        )
        .unwrap();
        let Err(failure) = state_edit::mv(
            &env(&ws, &heard),
            &[],
            &request,
            &target("vpcep_service.billing"),
            &target("vpcep_service.web"),
        ) else {
            panic!("moved under a held lock");
        };
        assert_eq!(failure.kind, app::FailureKind::StateLocked, "{failure}");
    }
    assert_eq!(serial(), before);

    // A move goes through: the next serial, the new address.
    let moves = state_edit::mv(
        &env(&ws, &heard),
        &[],
        &request,
        &target("vpcep_service.billing"),
        &target("vpcep_service.web"),
    )
    .unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(moves.len(), 1);
    assert_eq!(moves[0].1.to_string(), "vpcep_service.web");
    assert_eq!(serial(), before + 1);

    // A state file of another configuration is a conflict, and nothing is written.
    let other = ws
        .read("vpcep.state.json")
        .replacen("\"lineage\": \"", "\"lineage\": \"x", 1);
    ws.write("other.json", &other);
    let Err(failure) = state_edit::push(
        &env(&ws, &heard),
        &[],
        &request,
        &ws.path().join("other.json"),
        false,
    ) else {
        panic!("pushed a state of another lineage");
    };
    assert_eq!(failure.kind, app::FailureKind::StateConflict, "{failure}");
    assert_eq!(serial(), before + 1);
}
