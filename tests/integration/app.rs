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
