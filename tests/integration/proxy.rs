//! A lying HTTP proxy for fault injection: it sits between the `otc` provider and `vpcep
//! emulator` and, by rule or at seeded random, answers what a broken network or server might:
//! `200 {}`, HTML, `null`, truncated JSON, endless pages, redirects, resets.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// What the proxy answers instead of (or after) the emulator.
#[derive(Debug, Clone)]
pub(crate) enum Lie {
    /// `200` with this body.
    Body(&'static str),
    /// The emulator's answer cut in half.
    Truncated,
    /// A list that always answers its first page and claims a huge total.
    EndlessPages,
    /// `307` to the thief.
    Redirect,
    /// The connection is closed without an answer.
    Reset,
    /// The emulator's answer, its JSON changed by this function: a sloppy but honest server.
    Edit(fn(&mut serde_json::Value)),
    /// The emulator's answer, but an error's body replaced by a gateway's HTML page (the
    /// status stays): the code the client would decide by is hidden.
    HideErrors,
}

/// A rule: requests whose method and path match get `lie`, `times` times. With `after`, the
/// request reaches the emulator first (the change is made) and only its answer is a lie.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub method: &'static str,
    pub path_contains: &'static str,
    pub lie: Lie,
    pub times: usize,
    pub after: bool,
}

impl Rule {
    pub(crate) fn new(method: &'static str, path_contains: &'static str, lie: Lie) -> Self {
        Rule {
            method,
            path_contains,
            lie,
            times: usize::MAX,
            after: false,
        }
    }

    pub(crate) fn times(mut self, n: usize) -> Self {
        self.times = n;
        self
    }

    pub(crate) fn after(mut self) -> Self {
        self.after = true;
        self
    }
}

/// Random lies: each request gets one with probability `rate` (a seeded, reproducible schedule).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chaos {
    pub seed: u64,
    pub rate: f64,
}

struct Shared {
    upstream: u16,
    rules: Mutex<Vec<Rule>>,
    chaos: Mutex<Option<(Chaos, u64)>>,
    /// Requests the thief received (it must stay at zero).
    stolen: AtomicU64,
    thief_port: u16,
    lies: AtomicU64,
    stop: AtomicBool,
}

pub(crate) struct LyingProxy {
    pub(crate) port: u16,
    shared: Arc<Shared>,
}

fn next_random(state: &mut u64) -> f64 {
    // xorshift64*
    let mut x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    #[allow(clippy::cast_precision_loss)]
    let f = (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64;
    f
}

impl LyingProxy {
    /// A proxy in front of the emulator listening on `upstream`.
    pub(crate) fn start(upstream: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let thief = TcpListener::bind("127.0.0.1:0").unwrap();
        let shared = Arc::new(Shared {
            upstream,
            rules: Mutex::new(Vec::new()),
            chaos: Mutex::new(None),
            stolen: AtomicU64::new(0),
            thief_port: thief.local_addr().unwrap().port(),
            lies: AtomicU64::new(0),
            stop: AtomicBool::new(false),
        });
        let s = shared.clone();
        std::thread::spawn(move || {
            for stream in thief.incoming().flatten() {
                s.stolen.fetch_add(1, Ordering::Relaxed);
                drop(stream);
            }
        });
        let s = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if s.stop.load(Ordering::Relaxed) {
                    break;
                }
                let s = s.clone();
                std::thread::spawn(move || serve(&s, &stream));
            }
        });
        LyingProxy { port, shared }
    }

    pub(crate) fn rule(&self, rule: Rule) {
        self.shared.rules.lock().unwrap().push(rule);
    }

    pub(crate) fn clear(&self) {
        self.shared.rules.lock().unwrap().clear();
        *self.shared.chaos.lock().unwrap() = None;
    }

    pub(crate) fn chaos(&self, chaos: Chaos) {
        *self.shared.chaos.lock().unwrap() = Some((chaos, chaos.seed | 1));
    }

    /// Requests that reached the thief (a redirect target): credentials that left home.
    pub(crate) fn stolen(&self) -> u64 {
        self.shared.stolen.load(Ordering::Relaxed)
    }

    pub(crate) fn lies(&self) -> u64 {
        self.shared.lies.load(Ordering::Relaxed)
    }

    pub(crate) fn provider(&self, project: &str) -> String {
        format!(
            "provider \"otc\" {{\n  project_id = \"{project}\"\n  endpoint   = \"http://127.0.0.1:{}\"\n}}\n",
            self.port
        )
    }
}

impl Drop for LyingProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

fn write_response(mut stream: &TcpStream, status: u16, extra: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}

/// The emulator's answer to `request` (with `target` instead of the request's own).
fn forward(shared: &Shared, request: &Request, target: &str) -> (u16, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let url = format!("http://127.0.0.1:{}{target}", shared.upstream);
    let skip = |k: &str| {
        k.eq_ignore_ascii_case("host")
            || k.eq_ignore_ascii_case("content-length")
            || k.eq_ignore_ascii_case("connection")
    };
    let result = match request.method.as_str() {
        "GET" | "DELETE" => {
            let mut b = if request.method == "GET" {
                agent.get(&url)
            } else {
                agent.delete(&url)
            };
            for (k, v) in request.headers.iter().filter(|(k, _)| !skip(k)) {
                b = b.header(k.as_str(), v.as_str());
            }
            b.call()
        }
        _ => {
            let mut b = if request.method == "PUT" {
                agent.put(&url)
            } else {
                agent.post(&url)
            };
            for (k, v) in request.headers.iter().filter(|(k, _)| !skip(k)) {
                b = b.header(k.as_str(), v.as_str());
            }
            b.send(&request.body[..])
        }
    };
    match result {
        Ok(mut r) => (
            r.status().as_u16(),
            r.body_mut().read_to_vec().unwrap_or_default(),
        ),
        Err(_) => (502, b"<html>bad gateway</html>".to_vec()),
    }
}

fn pick(shared: &Shared, request: &Request) -> Option<(Lie, bool)> {
    let path = request.target.split('?').next().unwrap_or_default();
    {
        let mut rules = shared.rules.lock().unwrap();
        if let Some(rule) = rules
            .iter_mut()
            .find(|r| r.method == request.method && path.contains(r.path_contains) && r.times > 0)
        {
            rule.times -= 1;
            return Some((rule.lie.clone(), rule.after));
        }
    }
    let mut chaos = shared.chaos.lock().unwrap();
    let (c, state) = chaos.as_mut()?;
    if next_random(state) >= c.rate {
        return None;
    }
    let lies = [
        Lie::Body("{}"),
        Lie::Body("null"),
        Lie::Body("<html><body>502 Bad Gateway</body></html>"),
        Lie::Truncated,
        Lie::Reset,
        Lie::EndlessPages,
    ];
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let lie = lies[(next_random(state) * 6.0) as usize % lies.len()].clone();
    let after = request.method != "GET" && next_random(state) < 0.5;
    Some((lie, after))
}

fn serve(shared: &Shared, stream: &TcpStream) {
    let Some(request) = read_request(stream) else {
        return;
    };
    let Some((lie, after)) = pick(shared, &request) else {
        let (status, body) = forward(shared, &request, &request.target);
        write_response(stream, status, "", &body);
        return;
    };
    shared.lies.fetch_add(1, Ordering::Relaxed);
    let is_list = request.method == "GET"
        && (request.target.contains("limit=") || request.target.contains("offset="));
    // The emulator's answer, when the request reaches it (at most once).
    let answered = after.then(|| forward(shared, &request, &request.target));
    let real = || {
        answered
            .clone()
            .unwrap_or_else(|| forward(shared, &request, &request.target))
    };
    match lie {
        Lie::Body(body) => write_response(stream, 200, "", body.as_bytes()),
        Lie::Truncated => {
            let (status, body) = real();
            write_response(stream, status, "", &body[..body.len() / 2]);
        }
        Lie::EndlessPages if is_list => {
            let (path, query) = request
                .target
                .split_once('?')
                .unwrap_or((request.target.as_str(), ""));
            let query: Vec<&str> = query
                .split('&')
                .map(|p| {
                    if p.starts_with("offset=") {
                        "offset=0"
                    } else {
                        p
                    }
                })
                .collect();
            let first = format!("{path}?{}", query.join("&"));
            let (status, body) = forward(shared, &request, &first);
            let body = match serde_json::from_slice::<serde_json::Value>(&body) {
                Ok(mut v) if v.get("total_count").is_some() => {
                    v["total_count"] = 1_000_000.into();
                    serde_json::to_vec(&v).unwrap()
                }
                _ => body,
            };
            write_response(stream, status, "", &body);
        }
        Lie::EndlessPages => {
            let (status, body) = real();
            write_response(stream, status, "", &body);
        }
        Lie::Redirect => write_response(
            stream,
            307,
            &format!(
                "Location: http://127.0.0.1:{}{}\r\n",
                shared.thief_port, request.target
            ),
            b"",
        ),
        Lie::Reset => {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        Lie::HideErrors => {
            let (status, body) = real();
            if status >= 400 {
                write_response(stream, status, "", b"<html><body>Bad Request</body></html>");
            } else {
                write_response(stream, status, "", &body);
            }
        }
        Lie::Edit(edit) => {
            let (status, body) = real();
            let body = match serde_json::from_slice::<serde_json::Value>(&body) {
                Ok(mut v) => {
                    edit(&mut v);
                    serde_json::to_vec(&v).unwrap()
                }
                Err(_) => body,
            };
            write_response(stream, status, "", &body);
        }
    }
}
