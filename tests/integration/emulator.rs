//! The emulator holds clients to the real API's rules (issue 10, case 11): it authenticates
//! before reading a body, caps bodies, refuses what the API refuses with the API's codes, and
//! verifies signatures over the body it received within the API's clock window.

use super::harness::EmulatorProcess;
use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, SystemTime};
use vpcep::cloud::sign::{Secret, SignedParts, authorization, sdk_date, sha256_hex};

const PROJECT: &str = "0b2c6f3e8a1d4c7e9f10a2b3c4d5e6f7";
const TOKEN: &str = "tok-emulator-5b1e";
const AK: &str = "AKEMULATORTEST01";
const SK: &str = "sk-emulator-test-8c3f";

/// Sends raw request bytes and returns the status code and body of the answer.
fn raw(port: u16, request: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    // The emulator may refuse a request before its body is sent; it still answers.
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    // Read until the answer's body is complete (Content-Length) or the connection closes.
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            if body.len() >= len {
                break;
            }
        }
    }
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut r = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (k, v) in headers {
        let _ = write!(r, "{k}: {v}\r\n");
    }
    let _ = write!(r, "Content-Length: {}\r\n\r\n{body}", body.len());
    r.into_bytes()
}

fn services_path() -> String {
    format!("/v1/{PROJECT}/vpc-endpoint-services")
}

#[test]
fn a_huge_content_length_is_refused_and_the_emulator_lives_on() {
    let emulator = EmulatorProcess::start(&["--token", TOKEN]);
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: {TOKEN}\r\nContent-Length: 1000000000000\r\n\r\n{{",
        services_path()
    );
    let (status, _) = raw(emulator.port, head.as_bytes());
    assert_eq!(status, 413);
    // Unauthenticated, the same request is refused before anything is read.
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000000000\r\n\r\n",
        services_path()
    );
    let (status, body) = raw(emulator.port, head.as_bytes());
    assert_eq!(status, 401, "{body}");
    let (status, body) = raw(
        emulator.port,
        &request("GET", &services_path(), &[("X-Auth-Token", TOKEN)], ""),
    );
    assert_eq!(status, 200, "the emulator still answers: {body}");
}

#[test]
fn invalid_bodies_get_the_apis_errors_not_a_200() {
    let emulator = EmulatorProcess::start(&["--token", TOKEN]);
    let auth = [
        ("X-Auth-Token", TOKEN),
        ("Content-Type", "application/json"),
    ];
    let valid = |extra: &str| {
        format!(
            r#"{{"port_id":"p-1","vpc_id":"v-1","server_type":"LB","ports":[{{"client_port":80,"server_port":8080}}]{extra}}}"#
        )
    };
    let many_tags: Vec<String> = (0..100)
        .map(|i| format!(r#"{{"key":"k{i}","value":"v"}}"#))
        .collect();
    let long_name = format!(r#","service_name":"{}""#, "n".repeat(10 << 20));
    let cases: Vec<(String, u16, &str)> = vec![
        (
            r#"{"port_id":7,"vpc_id":"v","server_type":"LB","ports":[{"client_port":80,"server_port":80}]}"#.to_owned(),
            400,
            "EndPoint.0002",
        ),
        (
            r#"{"port_id":"p","vpc_id":"v","server_type":"LB","ports":[{"client_port":-1,"server_port":80}]}"#.to_owned(),
            400,
            "EndPoint.0002",
        ),
        (
            r#"{"port_id":"p","vpc_id":"v","server_type":"LB","ports":[{"client_port":1e308,"server_port":80}]}"#.to_owned(),
            400,
            "EndPoint.0002",
        ),
        (r#"{"ports":[{"client_port":80,"server_port":80}]}"#.to_owned(), 400, "EndPoint.0002"),
        (valid(&format!(r#","tags":[{}]"#, many_tags.join(","))), 400, "EndPoint.3069"),
        (valid(r#","service_name":"way-too-long-a-name""#), 400, "EndPoint.1003"),
        (valid(r#","server_type":"XX""#).replace(r#""server_type":"LB","#, ""), 400, "EndPoint.3021"),
        (valid(&long_name), 413, "EndPoint.0002"),
    ];
    for (body, status, code) in cases {
        let (got, answer) = raw(
            emulator.port,
            &request("POST", &services_path(), &auth, &body),
        );
        assert_eq!(got, status, "{}: {answer}", &body[..body.len().min(120)]);
        assert!(
            answer.contains(code),
            "{}: {answer}",
            &body[..body.len().min(120)]
        );
    }
    assert_eq!(emulator.services(PROJECT), 0, "nothing invalid was stored");
}

fn signed(method: &str, path: &str, body: &str, date: SystemTime) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = vec![
        ("Content-Type".into(), "application/json".into()),
        ("Host".into(), "127.0.0.1".into()),
        ("X-Sdk-Date".into(), sdk_date(date)),
    ];
    let parts = SignedParts {
        method,
        path,
        query: &[],
        headers: &headers,
        body: body.as_bytes(),
    };
    let auth = authorization(AK, &Secret::new(SK), &parts);
    headers.push(("Authorization".into(), auth));
    headers
}

fn send_signed(port: u16, headers: &[(String, String)], body: &str) -> (u16, String) {
    let mut r = format!("POST {} HTTP/1.1\r\n", services_path());
    for (k, v) in headers {
        let _ = write!(r, "{k}: {v}\r\n");
    }
    let _ = write!(r, "Content-Length: {}\r\n\r\n{body}", body.len());
    raw(port, r.as_bytes())
}

#[test]
fn signatures_cover_the_body_received_within_the_clock_window() {
    let emulator = EmulatorProcess::start(&["--access-key", AK, "--secret-key", SK]);
    let body = r#"{"port_id":"p-1","vpc_id":"v-1","server_type":"LB","ports":[{"client_port":80,"server_port":8080}]}"#;
    let now = SystemTime::now();
    let (status, answer) = send_signed(
        emulator.port,
        &signed("POST", &services_path(), body, now),
        body,
    );
    assert_eq!(
        status, 200,
        "a fresh, well-signed request is accepted: {answer}"
    );

    // The same signature with another body, and an unsigned header naming the old body's hash.
    let evil = body.replace("p-1", "p-2");
    let mut replay = signed("POST", &services_path(), body, now);
    replay.push(("X-Sdk-Content-Sha256".into(), sha256_hex(body.as_bytes())));
    let (status, answer) = send_signed(emulator.port, &replay, &evil);
    assert_eq!(status, 401, "{answer}");

    // A request signed 20 minutes ago.
    let old = now - Duration::from_secs(20 * 60);
    let body3 = body.replace("p-1", "p-3");
    let (status, answer) = send_signed(
        emulator.port,
        &signed("POST", &services_path(), &body3, old),
        &body3,
    );
    assert_eq!(status, 401, "{answer}");
    assert!(answer.contains("15 minutes"), "{answer}");
    assert_eq!(
        emulator.services(PROJECT),
        1,
        "only the genuine request stored a service"
    );
}

/// `--rate-limit N/s,BURST` throttles each project as OTC's API gateway does: past the burst,
/// 429 with `APIGW.0308` and no `Retry-After`; another project has its own bucket; the bucket
/// refills at the rate.
#[test]
fn the_rate_limit_throttles_each_project_as_the_gateway_does() {
    let emulator = EmulatorProcess::start(&["--token", TOKEN, "--rate-limit", "2/s,3"]);
    let get = |project: &str| {
        raw(
            emulator.port,
            &request(
                "GET",
                &format!("/v1/{project}/vpc-endpoint-services"),
                &[("X-Auth-Token", TOKEN)],
                "",
            ),
        )
    };
    let statuses: Vec<u16> = (0..5).map(|_| get(PROJECT).0).collect();
    assert_eq!(&statuses[..3], &[200, 200, 200], "{statuses:?}");
    let (status, body) = get(PROJECT);
    assert_eq!(status, 429, "{body}");
    let error: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["error_code"], "APIGW.0308");
    assert!(
        error["error_msg"]
            .as_str()
            .unwrap()
            .contains("The throttling threshold has been reached")
    );
    // Another project is not throttled by this one's requests.
    assert_eq!(get("1b2c6f3e8a1d4c7e9f10a2b3c4d5e6f7").0, 200);
    // A second later the bucket has two tokens again.
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(get(PROJECT).0, 200);
    // No Retry-After: the raw answer's head does not name one.
    let mut stream = TcpStream::connect(("127.0.0.1", emulator.port)).unwrap();
    for _ in 0..3 {
        let _ = get(PROJECT);
    }
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(&request(
            "GET",
            &services_path(),
            &[("X-Auth-Token", TOKEN), ("Connection", "close")],
            "",
        ))
        .unwrap();
    let mut head = String::new();
    let _ = stream.read_to_string(&mut head);
    assert!(head.starts_with("HTTP/1.1 429"), "{head}");
    assert!(!head.to_ascii_lowercase().contains("retry-after"), "{head}");
}
