//! Certificates for an office on TLS ([`crate::Office::start_tls`]), made
//! by `rounds-office tls init`'s code in a directory of the test's own,
//! renewed as a renewal tool does, and read back from a running office.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rounds_office::tls::TlsFiles;
use rounds_office::tls_init::Made;

/// Makes (or, when its authority is already there, renews) the
/// certificate files in `dir` for `names`.
pub fn init_certs(dir: &Path, names: &[&str]) -> Made {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    rounds_office::tls_init::init(dir, &names, 30, time_now()).unwrap()
}

fn time_now() -> rounds_office::tls_init::Time {
    rounds_office::tls_init::Time::now_utc()
}

/// Puts another pair in the place of `files`, as a renewal tool does:
/// each new file is written next to the old one and renamed over it.
pub fn replace_pair(files: &TlsFiles, from: &TlsFiles) {
    for (src, dst) in [(&from.key, &files.key), (&from.cert, &files.cert)] {
        let tmp: PathBuf = dst.with_extension("new");
        std::fs::copy(src, &tmp).unwrap();
        std::fs::rename(&tmp, dst).unwrap();
    }
}

/// The certificate chain the office at `port` on this machine serves
/// now, read by a handshake that trusts nothing and sends nothing.
pub fn served_chain(port: u16) -> Vec<Vec<u8>> {
    use std::sync::Mutex;
    #[derive(Debug)]
    struct Capture(Mutex<Vec<Vec<u8>>>, Arc<rustls::crypto::CryptoProvider>);
    impl rustls::client::danger::ServerCertVerifier for Capture {
        fn verify_server_cert(
            &self,
            end_entity: &rustls::pki_types::CertificateDer<'_>,
            intermediates: &[rustls::pki_types::CertificateDer<'_>],
            _: &rustls::pki_types::ServerName<'_>,
            _: &[u8],
            _: rustls::pki_types::UnixTime,
        ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
            let mut chain = vec![end_entity.to_vec()];
            chain.extend(intermediates.iter().map(|c| c.to_vec()));
            *self.0.lock().unwrap() = chain;
            Err(rustls::Error::General("captured".into()))
        }
        fn verify_tls12_signature(
            &self,
            _: &[u8],
            _: &rustls::pki_types::CertificateDer<'_>,
            _: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            Err(rustls::Error::General("captured".into()))
        }
        fn verify_tls13_signature(
            &self,
            _: &[u8],
            _: &rustls::pki_types::CertificateDer<'_>,
            _: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            Err(rustls::Error::General("captured".into()))
        }
        fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
            self.1.signature_verification_algorithms.supported_schemes()
        }
    }
    let provider = rounds_office::tls::provider();
    let capture = Arc::new(Capture(Mutex::new(Vec::new()), provider.clone()));
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(capture.clone())
        .with_no_client_auth();
    let mut conn =
        rustls::ClientConnection::new(Arc::new(config), "localhost".try_into().unwrap()).unwrap();
    let mut sock = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let _ = conn.complete_io(&mut sock);
    let chain = capture.0.lock().unwrap().clone();
    assert!(!chain.is_empty(), "the office showed no certificate");
    chain
}
