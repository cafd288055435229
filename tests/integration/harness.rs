//! A small builder that runs the `vpcep` binary and compares its output with expectations.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What a run of the binary produced.
#[derive(Debug)]
pub(crate) struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// The transcript stored in `expected` files: exit code, stdout and stderr.
    pub(crate) fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// The `vpcep` binary with a clean environment (no colour, no `VPCEP_VAR_*`), in `dir`.
pub(crate) fn command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vpcep"));
    cmd.current_dir(dir).args(args);
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if k.starts_with("VPCEP_") || k == "NO_COLOR" || k.starts_with("OS_") {
            cmd.env_remove(k.as_ref());
        }
    }
    cmd.envs(env.iter().copied());
    cmd
}

/// Runs `vpcep ARGS` in `dir` with a clean environment (no colour, no `VPCEP_VAR_*`).
pub(crate) fn vpcep(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = command(dir, args, env)
        .output()
        .expect("the vpcep binary runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs a command, killing it if it is still running after `limit` (a hang is then reported
/// as exit code -9 rather than stalling the test run).
pub(crate) fn run_bounded(mut cmd: Command, limit: std::time::Duration) -> Output {
    use std::io::Read as _;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let started = std::time::Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code().unwrap_or(-1);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break -9;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    Output {
        code,
        stdout: String::from_utf8_lossy(&out_reader.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned(),
    }
}

pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Compares `actual` with the file at `path` as it is (no wildcards), by snapbox: a mismatch
/// is a readable diff; with `SNAPSHOTS=overwrite` the file is rewritten instead.
pub(crate) fn check_expected(path: &Path, actual: &str) -> Result<(), String> {
    snapbox::Assert::new()
        .action_env(snapbox::assert::DEFAULT_ACTION_ENV)
        .try_eq(
            Some(&path.display()),
            snapbox::Data::text(actual.to_owned()).raw(),
            snapbox::Data::read_from(path, Some(snapbox::data::DataFormat::Text)).raw(),
        )
        .map_err(|e| e.to_string())
}

/// The `*.hcl` files of `src` and of its directories (a configuration with its modules); a
/// state or simulator a user left there is not copied.
pub(crate) fn copy_config(src: &Path, dst: &Path) {
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap();
        if path.is_file() && path.extension().is_some_and(|e| e == "hcl") {
            std::fs::copy(&path, dst.join(name)).unwrap();
        } else if path.is_dir() && !name.to_string_lossy().starts_with('.') {
            std::fs::create_dir_all(dst.join(name)).unwrap();
            copy_config(&path, &dst.join(name));
        }
    }
}

/// A configuration directory in a temporary place, and the commands run in it.
pub(crate) struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub(crate) fn new() -> Self {
        Workspace {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// A copy of the configuration files of `examples/NAME`, its modules' directories included.
    pub(crate) fn example(name: &str) -> Self {
        let ws = Workspace::new();
        copy_config(&repo_root().join("examples").join(name), ws.path());
        ws
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `name` (a path inside the workspace; missing directories are made).
    pub(crate) fn write(&self, name: &str, text: &str) {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, text).unwrap();
    }

    pub(crate) fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path().join(name)).unwrap_or_default()
    }

    pub(crate) fn edit(&self, name: &str, from: &str, to: &str) {
        let text = self.read(name);
        assert!(text.contains(from), "`{from}` is not in {name}");
        self.write(name, &text.replacen(from, to, 1));
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        vpcep(self.path(), args, &[])
    }

    /// Runs with a time limit; see [`run_bounded`].
    pub(crate) fn run_bounded(&self, args: &[&str], limit_secs: u64) -> Output {
        run_bounded(
            command(self.path(), args, &[]),
            std::time::Duration::from_secs(limit_secs),
        )
    }

    /// Runs and expects exit code `code`, showing the output otherwise.
    pub(crate) fn expect(&self, args: &[&str], code: i32) -> Output {
        let out = self.run(args);
        assert_eq!(
            out.code, code,
            "vpcep {args:?} exited {}:\n--- stdout\n{}\n--- stderr\n{}",
            out.code, out.stdout, out.stderr
        );
        out
    }

    pub(crate) fn state(&self) -> serde_json::Value {
        serde_json::from_str(&self.read("vpcep.state.json")).expect("the state file is valid JSON")
    }

    pub(crate) fn serial(&self) -> u64 {
        self.state()["serial"].as_u64().unwrap_or(0)
    }

    /// The cloud ID recorded for `address`.
    pub(crate) fn id_of(&self, address: &str) -> String {
        let state = self.state();
        state["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["address"] == address)
            .unwrap_or_else(|| panic!("{address} is not recorded"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// HCL for `n` services named `{prefix}{i}`, each with its own backend.
pub(crate) fn services_hcl(prefix: &str, n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let _ = write!(
            out,
            "resource \"vpcep_service\" \"{prefix}{i}\" {{\n  server_type = \"LB\"\n  port_id = \"port-{prefix}-{i}\"\n  vpc_id = \"vpc-1\"\n  approval_enabled = false\n  port {{\n    server_port = 8080\n    client_port = 80\n  }}\n}}\n"
        );
    }
    out
}

/// The change of `address` in a JSON plan (`resource_changes[]`).
pub(crate) fn resource_change<'a>(
    plan: &'a serde_json::Value,
    address: &str,
) -> &'a serde_json::Value {
    plan["resource_changes"]
        .as_array()
        .expect("a JSON plan has resource_changes")
        .iter()
        .find(|c| c["address"] == address)
        .unwrap_or_else(|| panic!("the plan has no change of {address}"))
}

/// A plain LB service on `port_id` in `vpc_id` mapping `port` to itself: what tests create
/// behind vpcep's back (change fields with struct update syntax).
pub(crate) fn service_spec(port_id: &str, vpc_id: &str, port: u16) -> vpcep::cloud::ServiceSpec {
    vpcep::cloud::ServiceSpec {
        name: None,
        server_type: "LB".into(),
        port_id: port_id.into(),
        vpc_id: vpc_id.into(),
        service_type: "interface".into(),
        approval_enabled: false,
        ports: vec![vpcep::cloud::PortMapping {
            protocol: "TCP".into(),
            server_port: port,
            client_port: port,
        }],
        whitelist: Vec::new(),
        tags: indexmap::IndexMap::new(),
        description: None,
        tcp_proxy: "close".into(),
        ..Default::default()
    }
}

/// A running `vpcep emulator`, killed when dropped.
pub(crate) struct EmulatorProcess {
    child: std::process::Child,
    pub(crate) port: u16,
    pub(crate) data: tempfile::TempDir,
}

impl EmulatorProcess {
    pub(crate) fn start(extra: &[&str]) -> Self {
        let data = tempfile::tempdir().unwrap();
        let db = data.path().join("emulator.db");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vpcep"))
            .args([
                "emulator",
                "--listen",
                "127.0.0.1:0",
                "--data",
                db.to_str().unwrap(),
            ])
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let port = line
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the emulator did not say where it listens: {line}"));
        EmulatorProcess { child, port, data }
    }

    pub(crate) fn provider(&self, project: &str) -> String {
        format!(
            "provider \"otc\" {{\n  project_id = \"{project}\"\n  endpoint   = \"http://127.0.0.1:{}\"\n}}\n",
            self.port
        )
    }

    /// One project's account, straight on the emulator's store.
    fn account(&self, project: &str) -> vpcep::cloud::sim::Sim {
        let config = vpcep::model::SimConfig {
            path: self.data.path().join("emulator.db"),
            domain_id: project.to_owned(),
            project_id: project.to_owned(),
            ..vpcep::model::SimConfig::default()
        };
        vpcep::cloud::sim::Sim::open(&config, self.data.path()).unwrap()
    }

    /// The services one project has.
    pub(crate) fn services(&self, project: &str) -> usize {
        vpcep::cloud::Cloud::list_services(&self.account(project))
            .unwrap()
            .len()
    }

    /// The endpoints one project has.
    pub(crate) fn endpoints(&self, project: &str) -> usize {
        vpcep::cloud::Cloud::list_endpoints(&self.account(project))
            .unwrap()
            .len()
    }

    pub(crate) fn client(
        &self,
        project: &str,
        credentials: vpcep::cloud::sign::Credentials,
    ) -> vpcep::cloud::http::HttpCloud {
        let config = vpcep::model::OtcConfig {
            region: None,
            project_id: Some(project.to_owned()),
            endpoint: Some(format!("http://127.0.0.1:{}", self.port)),
            profile: vpcep::model::CloudProfile::Otc,
            max_rps: None,
            sign_in: vpcep::cloud::auth::SignIn::default(),
        };
        vpcep::cloud::http::HttpCloud::new(&config, credentials).unwrap()
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
