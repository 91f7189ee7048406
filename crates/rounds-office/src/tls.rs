//! TLS in the office itself: rustls with the `ring` provider, the
//! certificate and key read from the files named in the configuration,
//! and read again when they change, so a renewed certificate is served
//! without a restart.
//!
//! Reloading is by modification time: every handshake looks at the two
//! files' modification times, sizes and inodes (one `stat` each) and, when either
//! changed, reads both again. A pair that does not load (half written, a
//! key that does not belong to the certificate) is logged once and the
//! previous pair keeps being served, so a renewal written in two steps
//! never takes the office down. This needs no signal (which Windows does
//! not have) and no cooperation from whatever renews the files.
//!
//! [`pin_fingerprint`] is what devices pin at `rounds join`: the SHA-256 of
//! the last certificate in the chain file, which for a chain written by
//! `rounds-office tls init` is the office's own certificate authority, so
//! renewing the server certificate from the same authority changes no pin.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use sha2::{Digest, Sha256};

/// The certificate chain (PEM, the server's certificate first) and its
/// private key (PEM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{}: {}", .path.display(), .message)]
    File { path: PathBuf, message: String },
    #[error("{0}")]
    Invalid(String),
}

fn file_error(path: &Path, message: impl Into<String>) -> TlsError {
    TlsError::File {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// The provider every TLS object of the office is built with. Named
/// explicitly, never taken from a process default: the workspace's HTTP
/// client brings in another provider, and rustls refuses to guess.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// `SHA256:` and the digest of a DER certificate as colon-separated
/// upper-case hex pairs, the form browsers and `openssl x509 -fingerprint
/// -sha256` show.
pub fn fingerprint(der: &[u8]) -> String {
    let digest = Sha256::digest(der);
    let pairs: Vec<String> = digest.iter().map(|b| format!("{b:02X}")).collect();
    format!("SHA256:{}", pairs.join(":"))
}

/// The certificates of a PEM file, in order; an error when there is none.
pub fn load_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = std::fs::read(path).map_err(|e| file_error(path, e.to_string()))?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_error(path, format!("not a PEM certificate file: {e}")))?;
    if certs.is_empty() {
        return Err(file_error(path, "holds no PEM certificate"));
    }
    Ok(certs)
}

/// The private key of a PEM file (PKCS#8, SEC1 or PKCS#1).
pub fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let bytes = std::fs::read(path).map_err(|e| file_error(path, e.to_string()))?;
    PrivateKeyDer::from_pem_slice(&bytes)
        .map_err(|e| file_error(path, format!("holds no PEM private key: {e}")))
}

/// The fingerprint devices pin: that of the last certificate in the chain.
pub fn pin_fingerprint(cert: &Path) -> Result<String, TlsError> {
    let chain = load_chain(cert)?;
    Ok(fingerprint(
        chain.last().expect("load_chain returns one at least"),
    ))
}

/// Loads and checks a certificate and key pair.
pub fn load_pair(files: &TlsFiles, provider: &CryptoProvider) -> Result<CertifiedKey, TlsError> {
    let chain = load_chain(&files.cert)?;
    let key = load_key(&files.key)?;
    CertifiedKey::from_der(chain, key, provider).map_err(|e| {
        TlsError::Invalid(format!(
            "{} and {} do not make a usable pair: {e}",
            files.cert.display(),
            files.key.display()
        ))
    })
}

/// What a file looked like when it was last read: modification time,
/// size and (on Unix) inode, so that a file replaced by renaming another
/// over it (as `tls init` and most renewal tools do) is noticed even
/// within the file system's clock tick.
type Stamp = Option<(SystemTime, u64, u64)>;

fn stamp(path: &Path) -> Stamp {
    let m = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let ino = 0;
    Some((m.modified().ok()?, m.len(), ino))
}

#[derive(Debug)]
struct Current {
    key: Arc<CertifiedKey>,
    /// The stamps of the certificate and key files the key was read from.
    loaded: (Stamp, Stamp),
    /// The stamps of a pair that failed to load, so it is reported once.
    failed: Option<(Stamp, Stamp)>,
}

/// Serves the pair in [`TlsFiles`], reading it again when the files change.
#[derive(Debug)]
pub struct ReloadingResolver {
    files: TlsFiles,
    provider: Arc<CryptoProvider>,
    current: Mutex<Current>,
}

impl ReloadingResolver {
    /// Loads the pair now: an office that cannot serve its certificate
    /// does not start.
    pub fn new(files: TlsFiles) -> Result<ReloadingResolver, TlsError> {
        let provider = provider();
        let loaded = (stamp(&files.cert), stamp(&files.key));
        let key = Arc::new(load_pair(&files, &provider)?);
        Ok(ReloadingResolver {
            files,
            provider,
            current: Mutex::new(Current {
                key,
                loaded,
                failed: None,
            }),
        })
    }

    /// The pair to serve now, read again first if the files changed.
    pub fn current(&self) -> Arc<CertifiedKey> {
        let mut cur = self.current.lock().unwrap_or_else(|e| e.into_inner());
        let now = (stamp(&self.files.cert), stamp(&self.files.key));
        if now != cur.loaded && cur.failed != Some(now) {
            match load_pair(&self.files, &self.provider) {
                Ok(k) => {
                    tracing::info!(
                        cert = %self.files.cert.display(),
                        fingerprint = %k.cert.last().map(|c| fingerprint(c)).unwrap_or_default(),
                        "TLS certificate reloaded"
                    );
                    cur.key = Arc::new(k);
                    cur.loaded = now;
                    cur.failed = None;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "TLS certificate changed but cannot be loaded; still serving the previous one");
                    cur.failed = Some(now);
                }
            }
        }
        cur.key.clone()
    }
}

impl ResolvesServerCert for ReloadingResolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

/// What the office's listener needs to speak TLS.
pub type Acceptor = tokio_rustls::TlsAcceptor;

/// An acceptor serving the pair in `files` (checked now), reloading it
/// when it changes. HTTP/2 and HTTP/1.1 are offered; the connection
/// builder serves whichever the client picks.
pub fn acceptor(files: TlsFiles) -> Result<Acceptor, TlsError> {
    let resolver = Arc::new(ReloadingResolver::new(files)?);
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Invalid(format!("TLS versions: {e}")))?
        .with_no_client_auth()
        .with_cert_resolver(resolver);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_sha256_in_colon_separated_hex() {
        let f = fingerprint(b"abc");
        assert_eq!(
            f,
            "SHA256:BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"
        );
    }

    #[test]
    fn files_without_certificates_or_keys_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("empty.pem");
        std::fs::write(&p, "nothing here\n").unwrap();
        let e = load_chain(&p).unwrap_err().to_string();
        assert!(
            e.contains("empty.pem") && e.contains("no PEM certificate"),
            "{e}"
        );
        let e = load_key(&p).unwrap_err().to_string();
        assert!(
            e.contains("empty.pem") && e.contains("no PEM private key"),
            "{e}"
        );
        let e = load_chain(&dir.path().join("missing.pem"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing.pem"), "{e}");
    }
}
