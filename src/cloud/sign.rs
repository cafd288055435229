//! Credentials and `SDK-HMAC-SHA256` request signing (the API gateway's AK/SK scheme), used by
//! the HTTP client to sign and by the emulator to verify.
//!
//! Secrets live in [`Secret`], which never prints its value, so they cannot reach logs, errors,
//! plans or state by accident.

use hmac::{KeyInit as _, Mac as _};
use sha2::{Digest as _, Sha256};
use std::fmt::Write as _;

pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

pub use crate::model::Secret;

/// How requests are authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// `X-Auth-Token`.
    Token(Secret),
    /// Access key and secret key, with a security token for temporary credentials.
    AkSk {
        access_key: String,
        secret_key: Secret,
        security_token: Option<Secret>,
    },
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hmac_hex(key: &[u8], message: &[u8]) -> String {
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    hex(&mac.finalize().into_bytes())
}

/// Decodes `%XX` escapes and `+` (a space in a query string); other bytes stay as they are,
/// and bytes that are not UTF-8 become U+FFFD. By the `percent-encoding` crate: user-supplied
/// text (a connection string, a request path) is never sliced by hand.
pub fn percent_decode(s: &str) -> String {
    let spaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// Everything but the unreserved characters `A-Za-z0-9-_.~` (RFC 3986), as the API's
/// signature expects.
const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes everything but the unreserved characters `A-Za-z0-9-_.~`.
pub fn percent_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, RESERVED).to_string()
}

/// The parts of a request that are signed. Header names may be in any case.
pub struct SignedParts<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a [(String, String)],
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// The signed header names, lowercase, sorted, joined by `;`.
pub fn signed_headers(headers: &[(String, String)]) -> String {
    let mut names: Vec<String> = headers.iter().map(|(n, _)| n.to_lowercase()).collect();
    names.sort();
    names.dedup();
    names.join(";")
}

/// The canonical request of the APIG signer (six parts joined by newlines).
pub fn canonical_request(parts: &SignedParts<'_>, signed: &str) -> String {
    let mut uri: String = parts
        .path
        .split('/')
        .map(percent_encode)
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    let mut query: Vec<(String, String)> = parts
        .query
        .iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    query.sort();
    let query: Vec<String> = query.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut headers = String::new();
    for name in signed.split(';') {
        let value = parts
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.trim());
        let _ = writeln!(headers, "{name}:{value}");
    }
    let payload = parts
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-sdk-content-sha256"))
        .map_or_else(|| sha256_hex(parts.body), |(_, v)| v.clone());
    format!(
        "{}\n{uri}\n{}\n{headers}\n{signed}\n{payload}",
        parts.method.to_uppercase(),
        query.join("&")
    )
}

/// The signature of a canonical request with the date of its `X-Sdk-Date` header.
pub fn signature(secret_key: &Secret, date: &str, canonical: &str) -> String {
    let string_to_sign = format!("{ALGORITHM}\n{date}\n{}", sha256_hex(canonical.as_bytes()));
    hmac_hex(secret_key.expose().as_bytes(), string_to_sign.as_bytes())
}

/// The `Authorization` header for a request whose headers (including `X-Sdk-Date` and `Host`)
/// are all signed.
pub fn authorization(access_key: &str, secret_key: &Secret, parts: &SignedParts<'_>) -> String {
    let signed = signed_headers(parts.headers);
    let date = parts
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-sdk-date"))
        .map_or("", |(_, v)| v.as_str());
    let sig = signature(secret_key, date, &canonical_request(parts, &signed));
    format!("{ALGORITHM} Access={access_key}, SignedHeaders={signed}, Signature={sig}")
}

/// How far `X-Sdk-Date` may be from the verifier's clock.
pub const MAX_CLOCK_SKEW: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Parses `YYYYMMDDTHHMMSSZ`.
pub fn parse_sdk_date(date: &str) -> Option<std::time::SystemTime> {
    let b = date.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let rfc = format!(
        "{}-{}-{}T{}:{}:{}Z",
        date.get(0..4)?,
        date.get(4..6)?,
        date.get(6..8)?,
        date.get(9..11)?,
        date.get(11..13)?,
        date.get(13..15)?
    );
    humantime::parse_rfc3339(&rfc).ok()
}

/// Checks an `Authorization` header against the request it came with, as the API gateway
/// does: the signature over the body as received (a `X-Sdk-Content-Sha256` header must be
/// signed and name that body's hash), and an `X-Sdk-Date` within [`MAX_CLOCK_SKEW`] of `now`.
pub fn verify(
    authorization: &str,
    access_key: &str,
    secret_key: &Secret,
    parts: &SignedParts<'_>,
    now: std::time::SystemTime,
) -> Result<(), String> {
    let rest = authorization
        .strip_prefix(ALGORITHM)
        .ok_or("the Authorization header is not SDK-HMAC-SHA256")?;
    let field = |name: &str| {
        rest.split(',')
            .map(str::trim)
            .find_map(|f| f.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
            .ok_or_else(|| format!("the Authorization header has no {name}"))
    };
    let access = field("Access")?;
    let signed = field("SignedHeaders")?;
    let given = field("Signature")?;
    if access != access_key {
        return Err("unknown access key".into());
    }
    if !signed.split(';').any(|h| h == "x-sdk-date") {
        return Err("X-Sdk-Date is not signed".into());
    }
    let header = |name: &str| {
        parts
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let date = header("x-sdk-date").unwrap_or("");
    let when = parse_sdk_date(date).ok_or("X-Sdk-Date is not a date such as 20250131T101500Z")?;
    let skew = match now.duration_since(when) {
        Ok(d) => d,
        Err(e) => e.duration(),
    };
    if skew > MAX_CLOCK_SKEW {
        return Err(format!(
            "X-Sdk-Date {date} is more than 15 minutes from the server's clock"
        ));
    }
    if let Some(claimed) = header("x-sdk-content-sha256") {
        if !signed.split(';').any(|h| h == "x-sdk-content-sha256") {
            return Err("X-Sdk-Content-Sha256 is not signed".into());
        }
        if claimed != sha256_hex(parts.body) {
            return Err("X-Sdk-Content-Sha256 does not match the body".into());
        }
    }
    let expected = signature(secret_key, date, &canonical_request(parts, signed));
    if expected == given {
        Ok(())
    } else {
        Err("the signature does not match".into())
    }
}

/// `YYYYMMDDTHHMMSSZ` for a time (UTC).
pub fn sdk_date(t: std::time::SystemTime) -> String {
    let rfc = humantime::format_rfc3339_seconds(t).to_string();
    // 2025-01-31T10:15:00Z -> 20250131T101500Z
    rfc.chars().filter(|c| *c != '-' && *c != ':').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_never_slices_inside_a_character() {
        // `%a` then a two-byte character: the hand-written decoder sliced inside `é`.
        assert_eq!(percent_decode("%aé"), "%aé");
        assert_eq!(percent_decode("é%"), "é%");
        assert_eq!(percent_decode("%41%42+c%2B"), "AB c+");
        assert_eq!(percent_decode("%e9"), "\u{fffd}");
        assert_eq!(percent_decode("%%%"), "%%%");
        assert_eq!(percent_encode("a b/é~"), "a%20b%2F%C3%A9~");
        for s in ["", "%", "%4", "%zz", "ä%C3", "%C3%A4", "€%E2%82"] {
            let _ = percent_decode(s);
        }
    }

    fn parts<'a>(
        headers: &'a [(String, String)],
        query: &'a [(String, String)],
    ) -> SignedParts<'a> {
        SignedParts {
            method: "POST",
            path: "/v1/0b2c6f3e8a1d4c7e9f10a2b3c4d5e6f7/vpc-endpoint-services",
            query,
            headers,
            body: br#"{"service_name":"billing-api"}"#,
        }
    }

    fn sample_headers() -> Vec<(String, String)> {
        [
            ("Content-Type", "application/json"),
            ("Host", "vpcep.eu-de.otc.t-systems.com"),
            ("X-Sdk-Date", "20250131T101500Z"),
            ("X-Project-Id", "0b2c6f3e8a1d4c7e9f10a2b3c4d5e6f7"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
    }

    /// A vector computed independently (Python's hashlib and hmac) from spec section 2.2.
    #[test]
    fn reproduces_the_fixed_test_vector() {
        let headers = sample_headers();
        let query = vec![
            ("offset".to_owned(), "0".to_owned()),
            ("limit".to_owned(), "1000".to_owned()),
        ];
        let p = parts(&headers, &query);
        let signed = signed_headers(&headers);
        assert_eq!(signed, "content-type;host;x-project-id;x-sdk-date");
        let canonical = canonical_request(&p, &signed);
        assert_eq!(
            canonical,
            "POST\n/v1/0b2c6f3e8a1d4c7e9f10a2b3c4d5e6f7/vpc-endpoint-services/\nlimit=1000&offset=0\ncontent-type:application/json\nhost:vpcep.eu-de.otc.t-systems.com\nx-project-id:0b2c6f3e8a1d4c7e9f10a2b3c4d5e6f7\nx-sdk-date:20250131T101500Z\n\ncontent-type;host;x-project-id;x-sdk-date\n866ad139e101b0114b43b5eb49a13d7132f76e7123b0a43668710d0337fb1a3a"
        );
        let sk = Secret::new("secret-key-for-tests");
        assert_eq!(
            signature(&sk, "20250131T101500Z", &canonical),
            "7b5004260a763e78b04929bcc6f8745bf428eb5ce8c50a1a08f5a59275ded980"
        );
        let auth = authorization("AK-TEST", &sk, &p);
        assert_eq!(
            auth,
            "SDK-HMAC-SHA256 Access=AK-TEST, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=7b5004260a763e78b04929bcc6f8745bf428eb5ce8c50a1a08f5a59275ded980"
        );
        let then = parse_sdk_date("20250131T101500Z").unwrap();
        assert_eq!(verify(&auth, "AK-TEST", &sk, &p, then), Ok(()));
        assert!(verify(&auth, "AK-TEST", &Secret::new("wrong"), &p, then).is_err());
        // Stale or future dates are refused, however well signed.
        let later = then + std::time::Duration::from_secs(16 * 60);
        assert!(
            verify(&auth, "AK-TEST", &sk, &p, later)
                .unwrap_err()
                .contains("15 minutes")
        );
    }

    #[test]
    fn a_body_hash_header_must_be_signed_and_match_the_body() {
        let sk = Secret::new("secret-key-for-tests");
        let query = Vec::new();
        let then = parse_sdk_date("20250131T101500Z").unwrap();
        // Signed over one body ...
        let headers = sample_headers();
        let auth = authorization("AK-TEST", &sk, &parts(&headers, &query));
        // ... replayed with another body and an unsigned header naming the old body's hash.
        let mut replay_headers = headers.clone();
        replay_headers.push((
            "X-Sdk-Content-Sha256".into(),
            sha256_hex(br#"{"service_name":"billing-api"}"#),
        ));
        let replay = SignedParts {
            body: br#"{"service_name":"evil"}"#,
            ..parts(&replay_headers, &query)
        };
        assert!(verify(&auth, "AK-TEST", &sk, &replay, then).is_err());
        let tampered = SignedParts {
            body: br#"{"service_name":"evil"}"#,
            ..parts(&headers, &query)
        };
        assert!(verify(&auth, "AK-TEST", &sk, &tampered, then).is_err());
    }

    #[test]
    fn secrets_never_print() {
        let c = Credentials::AkSk {
            access_key: "AK".into(),
            secret_key: Secret::new("hunter2"),
            security_token: None,
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn sdk_date_format() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_738_318_500);
        assert_eq!(sdk_date(t), "20250131T101500Z");
    }
}
