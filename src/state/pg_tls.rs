//! TLS for the pg backend, with libpq's meaning of `sslmode` and `sslrootcert` in the
//! connection string (key/value or URL form): `disable` (plain), `prefer` (the default: TLS
//! when the server offers it), `require` (TLS or nothing), all three without checking the
//! server's certificate unless `sslrootcert` is given; `verify-ca` (the certificate chains to
//! `sslrootcert`, or else to the public roots) and `verify-full` (and names the host). The
//! driver understands only the first three, so these two options are taken out of the string
//! before it sees it.

use postgres::Client;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, Error as TlsError, RootCertStore, SignatureScheme};
use std::path::PathBuf;
use std::sync::Arc;

/// What the connection string asks of TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsOptions {
    pub mode: Mode,
    /// `sslrootcert`: the certificates (PEM) the server's must chain to.
    pub root_cert: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// Splits `sslmode` and `sslrootcert` off `conn_str`: the string the driver parses (with
/// `verify-*` as `require`, which makes the driver insist on TLS), and what they ask.
pub fn split(conn_str: &str) -> Result<(String, TlsOptions), String> {
    let mut options = TlsOptions {
        mode: Mode::Prefer,
        root_cert: None,
    };
    let mut take = |key: &str, value: &str| -> Result<bool, String> {
        match key {
            "sslmode" => {
                options.mode = match value {
                    "disable" => Mode::Disable,
                    "allow" | "prefer" => Mode::Prefer,
                    "require" => Mode::Require,
                    "verify-ca" => Mode::VerifyCa,
                    "verify-full" => Mode::VerifyFull,
                    other => {
                        return Err(format!(
                            "sslmode `{other}` is not one of disable, prefer, require, verify-ca, verify-full"
                        ));
                    }
                };
                Ok(true)
            }
            "sslrootcert" => {
                options.root_cert = Some(PathBuf::from(value));
                Ok(true)
            }
            _ => Ok(false),
        }
    };
    let rest = if let Some(url) = ["postgresql://", "postgres://"]
        .iter()
        .find_map(|p| conn_str.strip_prefix(p).map(|rest| (p, rest)))
    {
        let (prefix, rest) = url;
        let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let (k, v) = (
                crate::cloud::sign::percent_decode(k),
                crate::cloud::sign::percent_decode(v),
            );
            if !take(&k, &v)? {
                kept.push(pair);
            }
        }
        let mut out = format!("{prefix}{base}");
        if !kept.is_empty() {
            out.push('?');
            out.push_str(&kept.join("&"));
        }
        out
    } else {
        let mut kept = Vec::new();
        for (k, v, raw) in key_values(conn_str)? {
            if !take(&k, &v)? {
                kept.push(raw);
            }
        }
        kept.join(" ")
    };
    let driver_mode = match options.mode {
        Mode::Disable => "disable",
        Mode::Prefer => "prefer",
        _ => "require",
    };
    let sep = if rest.contains("://") {
        if rest.contains('?') { "&" } else { "?" }
    } else {
        " "
    };
    let rest = if rest.is_empty() {
        format!("sslmode={driver_mode}")
    } else {
        format!("{rest}{sep}sslmode={driver_mode}")
    };
    Ok((rest, options))
}

/// The `key=value` pairs of a key/value connection string (values may be `'quoted'`, with
/// `\'` and `\\` inside), each with its text as written.
fn key_values(s: &str) -> Result<Vec<(String, String, String)>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        if i >= chars.len() {
            return Ok(out);
        }
        let start = i;
        while chars
            .get(i)
            .is_some_and(|c| *c != '=' && !c.is_whitespace())
        {
            i += 1;
        }
        let key: String = chars[start..i].iter().collect();
        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        if chars.get(i) != Some(&'=') {
            // The word itself is not shown: a password typed without `password=` would be.
            let n = out.len() + 1;
            return Err(format!(
                "word {n} of the connection string is not `key=value` (it is not shown, as it may be a password); write each setting as `key=value`, e.g. `password=...`"
            ));
        }
        i += 1;
        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        let mut value = String::new();
        if chars.get(i) == Some(&'\'') {
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(format!("the value of `{key}` has no closing quote")),
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some('\\') => {
                        if let Some(c) = chars.get(i + 1) {
                            value.push(*c);
                        }
                        i += 2;
                    }
                    Some(c) => {
                        value.push(*c);
                        i += 1;
                    }
                }
            }
        } else {
            while let Some(c) = chars.get(i).filter(|c| !c.is_whitespace()) {
                value.push(*c);
                i += 1;
            }
        }
        let raw: String = chars[start..i].iter().collect();
        out.push((key, value, raw));
    }
}

/// Connects as `conn_str` asks, TLS included (see the module comment).
pub fn connect(conn_str: &str) -> Result<Client, String> {
    let (driver, options) = split(conn_str)?;
    if options.mode == Mode::Disable {
        return Client::connect(&driver, postgres::NoTls).map_err(|e| super::pg::pg_message(&e));
    }
    let config = client_config(&options)?;
    let tls = tokio_postgres_rustls::MakeRustlsConnect::new(config);
    Client::connect(&driver, tls).map_err(|e| super::pg::pg_message(&e))
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn client_config(options: &TlsOptions) -> Result<rustls::ClientConfig, String> {
    let provider = provider();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?;
    let verify =
        matches!(options.mode, Mode::VerifyCa | Mode::VerifyFull) || options.root_cert.is_some();
    let algorithms = provider.signature_verification_algorithms;
    let verifier: Arc<dyn ServerCertVerifier> = if verify {
        let roots = Arc::new(roots(options.root_cert.as_ref())?);
        let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(roots, provider)
            .build()
            .map_err(|e| format!("TLS: {e}"))?;
        if options.mode == Mode::VerifyFull {
            webpki
        } else {
            Arc::new(Lenient {
                chain: Some(webpki),
                algorithms,
            })
        }
    } else {
        Arc::new(Lenient {
            chain: None,
            algorithms,
        })
    };
    let config = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(config)
}

/// The certificates of `path` (PEM), or the public roots.
/// Largest `sslrootcert` file read (a bundle of every public root is about 250 KiB).
const MAX_ROOT_CERT_FILE: u64 = 4 << 20;

fn roots(path: Option<&PathBuf>) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    let Some(path) = path else {
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        return Ok(store);
    };
    let shown = path.display();
    // A regular file of at most a few MiB: `/dev/zero` or a FIFO named here must not be read
    // without end or block the command.
    let pem =
        crate::fsio::read_capped(path, MAX_ROOT_CERT_FILE, "sslrootcert").map_err(|e| e.message)?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("sslrootcert `{shown}` is not PEM certificates: {e}"))?;
    if certs.is_empty() {
        return Err(format!("sslrootcert `{shown}` holds no certificate"));
    }
    for cert in certs {
        store
            .add(cert)
            .map_err(|e| format!("sslrootcert `{shown}`: {e}"))?;
    }
    Ok(store)
}

/// How the server's certificate is checked where rustls's own verifier is not the whole
/// answer: `verify-ca` checks the chain but not the host name; `prefer` and `require` without
/// `sslrootcert` check nothing of the certificate (as libpq). The handshake's signatures are
/// always checked.
#[derive(Debug)]
struct Lenient {
    /// The chain's verifier (`verify-ca`), or none.
    chain: Option<Arc<rustls::client::WebPkiServerVerifier>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(TlsError::InvalidCertificate(
                rustls::CertificateError::NotValidForName
                | rustls::CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_driver_never_sees_verify_modes_or_root_certificates() {
        let (driver, tls) =
            split("host=db.example user='a b' sslmode=verify-full sslrootcert='/etc/ca.pem'")
                .unwrap();
        assert_eq!(driver, "host=db.example user='a b' sslmode=require");
        assert_eq!(tls.mode, Mode::VerifyFull);
        assert_eq!(tls.root_cert, Some(PathBuf::from("/etc/ca.pem")));
        driver.parse::<postgres::Config>().unwrap();

        let (driver, tls) = split(
            "postgresql://u@h:5432/db?sslmode=verify-ca&sslrootcert=%2Fca.pem&application_name=x",
        )
        .unwrap();
        assert_eq!(
            driver,
            "postgresql://u@h:5432/db?application_name=x&sslmode=require"
        );
        assert_eq!(tls.mode, Mode::VerifyCa);
        assert_eq!(tls.root_cert, Some(PathBuf::from("/ca.pem")));
        driver.parse::<postgres::Config>().unwrap();

        let (driver, tls) = split("postgresql://u@h/db").unwrap();
        assert_eq!(driver, "postgresql://u@h/db?sslmode=prefer");
        assert_eq!(tls.mode, Mode::Prefer);

        assert!(
            split("host=h sslmode=sometimes")
                .unwrap_err()
                .contains("sslmode")
        );
        assert!(split("host='h").unwrap_err().contains("closing quote"));
    }
}
