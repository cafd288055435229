//! The emulator's HTTP/1.1 server: `httparse` reads each request head, bodies are bounded and
//! read only after the head has been accepted, connections are kept alive, and every
//! connection has a thread of its own (so the emulator serves as many requests at once as its
//! clients send). Nothing a client sends can make it allocate more than its caps.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// The largest request head (request line and headers) read.
const MAX_HEAD: usize = 64 << 10;
/// The most headers a request may have.
const MAX_HEADERS: usize = 64;
/// How long an idle connection is kept.
const IDLE: Duration = Duration::from_secs(30);

/// A request's line and headers, before its body is read.
pub struct Head {
    pub method: String,
    /// The path with its query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    /// The `Content-Length`, 0 without one.
    pub content_length: u64,
}

/// An answer.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    /// Headers besides `Content-Type`, `Content-Length` and `Connection`.
    pub headers: Vec<(String, String)>,
}

/// What serves requests: `accept` sees the head first and may answer without the body (which
/// is then not read, and the connection is closed); `handle` gets the body otherwise.
pub trait Service: Send + Sync + 'static {
    fn accept(&self, head: &Head) -> Option<Answer>;
    fn handle(&self, head: &Head, body: &[u8]) -> Answer;
}

/// Serves `service` on `listener` until the process ends.
pub fn serve<S: Service>(listener: &TcpListener, service: &std::sync::Arc<S>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let service = service.clone();
        let spawned = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || connection(&stream, service.as_ref()));
        if spawned.is_err() {
            // Out of threads: the connection is dropped, as an overloaded server's would be.
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        _ => "Status",
    }
}

fn write_answer(mut stream: &TcpStream, answer: &Answer, close: bool) -> std::io::Result<()> {
    let extra: String = answer
        .headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect::<Vec<_>>()
        .concat();
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}{}\r\n",
        answer.status,
        reason(answer.status),
        answer.body.len(),
        if close { "Connection: close\r\n" } else { "" }
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(&answer.body)?;
    stream.flush()
}

fn plain(status: u16, message: &str) -> Answer {
    Answer {
        status,
        body: serde_json::to_vec(
            &serde_json::json!({"error_code": "EndPoint.0002", "error_msg": message}),
        )
        .unwrap_or_default(),
        headers: Vec::new(),
    }
}

/// Reads the next request head from `buffer` + the stream; `None` when the connection ended.
fn read_head(
    mut stream: &TcpStream,
    buffer: &mut Vec<u8>,
) -> Result<Option<(Head, usize)>, Answer> {
    let mut chunk = [0u8; 8192];
    loop {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(buffer) {
            Ok(httparse::Status::Complete(len)) => {
                let headers: Vec<(String, String)> = request
                    .headers
                    .iter()
                    .map(|h| {
                        (
                            h.name.to_owned(),
                            String::from_utf8_lossy(h.value).into_owned(),
                        )
                    })
                    .collect();
                let header = |name: &str| {
                    headers
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(name))
                        .map(|(_, v)| v.trim())
                };
                if header("Transfer-Encoding").is_some() {
                    return Err(plain(501, "chunked request bodies are not supported"));
                }
                let content_length = match header("Content-Length") {
                    None => 0,
                    Some(v) => v
                        .parse()
                        .map_err(|_| plain(400, "invalid Content-Length"))?,
                };
                let head = Head {
                    method: request.method.unwrap_or("GET").to_owned(),
                    target: request.path.unwrap_or("/").to_owned(),
                    headers,
                    content_length,
                };
                return Ok(Some((head, len)));
            }
            Ok(httparse::Status::Partial) => {}
            Err(httparse::Error::TooManyHeaders) => {
                return Err(plain(431, "too many headers"));
            }
            Err(e) => return Err(plain(400, &format!("invalid request: {e}"))),
        }
        if buffer.len() > MAX_HEAD {
            return Err(plain(431, "the request head is too large"));
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return Ok(None),
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

fn connection(stream: &TcpStream, service: &dyn ServiceDyn) {
    let _ = stream.set_read_timeout(Some(IDLE));
    let _ = stream.set_nodelay(true);
    let mut buffer: Vec<u8> = Vec::new();
    loop {
        let (head, used) = match read_head(stream, &mut buffer) {
            Ok(Some(h)) => h,
            Ok(None) => return,
            Err(answer) => {
                let _ = write_answer(stream, &answer, true);
                return;
            }
        };
        buffer.drain(..used);
        if let Some(answer) = service.accept(&head) {
            // The body is not read: close, so its bytes are never taken for a request.
            let _ = write_answer(stream, &answer, true);
            linger(stream);
            return;
        }
        // `accept` has checked the length against the cap.
        let want = usize::try_from(head.content_length).unwrap_or(usize::MAX);
        let mut chunk = [0u8; 8192];
        while buffer.len() < want {
            let mut reader = stream;
            match reader.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        let body: Vec<u8> = buffer.drain(..want).collect();
        let answer = service.handle(&head, &body);
        let close = head
            .headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case("close"));
        if write_answer(stream, &answer, close).is_err() || close {
            return;
        }
    }
}

/// Closes a connection whose client may still be sending a body the server refused: stops
/// writing, then reads and discards a bounded amount for a moment, so the client reads the
/// answer instead of a reset.
fn linger(stream: &TcpStream) {
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut chunk = [0u8; 8192];
    let mut left: usize = 32 << 20;
    let mut reader = stream;
    while left > 0 {
        match reader.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

/// [`Service`] without its generic bound, for the connection loop.
trait ServiceDyn {
    fn accept(&self, head: &Head) -> Option<Answer>;
    fn handle(&self, head: &Head, body: &[u8]) -> Answer;
}

impl<S: Service> ServiceDyn for S {
    fn accept(&self, head: &Head) -> Option<Answer> {
        Service::accept(self, head)
    }
    fn handle(&self, head: &Head, body: &[u8]) -> Answer {
        Service::handle(self, head, body)
    }
}
