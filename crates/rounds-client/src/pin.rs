//! Certificate pinning: a device that joined an office by its certificate's
//! fingerprint (`rounds join --fingerprint`) accepts that office's TLS
//! connection only when the certificate chain it is shown contains the
//! pinned certificate, and refuses any other before anything is sent.
//!
//! What is pinned is one certificate, by the SHA-256 of its DER. The office
//! gives out the fingerprint of the last certificate of its chain: its own
//! certificate authority when `rounds-office tls init` made it, so renewed
//! server certificates keep working, or the server certificate itself when
//! it is self-signed. Accepted are:
//!
//! - a chain whose server certificate is the pinned one (it is trusted as
//!   is: a pinned certificate needs no authority, and its names are what
//!   the administrator made it with);
//! - a chain that carries the pinned certificate after the server's, when
//!   the server's chains to it (checked by webpki with the pinned one as the
//!   only trust anchor: signature, validity, and the name in the office URL).
//!
//! The handshake's signature is always checked (the server holds the key).
//! Everything is built with rustls' `ring` provider.

use std::fmt;
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

/// The SHA-256 of a certificate's DER encoding.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    pub fn of(der: &[u8]) -> Fingerprint {
        let mut out = [0u8; 32];
        out.copy_from_slice(&Sha256::digest(der));
        Fingerprint(out)
    }

    /// Reads `SHA256:AB:CD:…` as `rounds-office` prints it; the prefix,
    /// the colons (or spaces) and the case are optional, so a fingerprint
    /// copied from a browser or `openssl` works too.
    pub fn parse(s: &str) -> Result<Fingerprint, String> {
        let t = s.trim();
        let t = t
            .get(..7)
            .filter(|p| p.eq_ignore_ascii_case("sha256:"))
            .map_or(t, |_| &t[7..]);
        let digits: String = t
            .chars()
            .filter(|c| !matches!(c, ':' | ' ' | '-'))
            .collect();
        let bytes = hex::decode(&digits).ok().filter(|b| b.len() == 32).ok_or_else(|| {
            format!(
                "fingerprint `{s}`: expected SHA256: and 32 hex pairs, as `rounds-office code` prints it"
            )
        })?;
        let mut out = [0u8; 32];
        out.copy_from_slice(&bytes);
        Ok(Fingerprint(out))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SHA256:")?;
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why a verifier refused a server; read by the client after the request
/// failed, because reqwest reports a refused handshake only as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The chain does not contain the pinned certificate; `seen` is the
    /// fingerprint the office would give out for it (its last certificate).
    Mismatch { seen: Fingerprint },
    /// The chain contains the pinned authority, but the server's
    /// certificate does not check out against it (expired, another name).
    Invalid(String),
}

/// Accepts exactly the chains described in the module's documentation,
/// and records why it refused one. With no pin it refuses every chain:
/// that is how `rounds join` learns the fingerprint of an office it does
/// not trust yet, without sending it anything.
#[derive(Debug)]
pub(crate) struct PinVerifier {
    pin: Option<Fingerprint>,
    provider: Arc<CryptoProvider>,
    pub(crate) refused: Arc<Mutex<Option<Refusal>>>,
}

pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl PinVerifier {
    pub(crate) fn new(pin: Option<Fingerprint>) -> PinVerifier {
        PinVerifier {
            pin,
            provider: provider(),
            refused: Arc::new(Mutex::new(None)),
        }
    }

    fn refuse(&self, r: Refusal) -> rustls::Error {
        let err = match &r {
            Refusal::Mismatch { .. } => {
                rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure)
            }
            Refusal::Invalid(m) => rustls::Error::General(m.clone()),
        };
        *self.refused.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
        err
    }

    /// The rustls client configuration that verifies with this verifier.
    pub(crate) fn client_config(self) -> Result<rustls::ClientConfig, rustls::Error> {
        Ok(
            rustls::ClientConfig::builder_with_provider(self.provider.clone())
                .with_safe_default_protocol_versions()?
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(self))
                .with_no_client_auth(),
        )
    }
}

impl ServerCertVerifier for PinVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let seen = Fingerprint::of(intermediates.last().unwrap_or(end_entity));
        let Some(pin) = self.pin else {
            return Err(self.refuse(Refusal::Mismatch { seen }));
        };
        if Fingerprint::of(end_entity) == pin {
            return Ok(ServerCertVerified::assertion());
        }
        let Some(anchor) = intermediates.iter().find(|c| Fingerprint::of(c) == pin) else {
            return Err(self.refuse(Refusal::Mismatch { seen }));
        };
        let mut roots = rustls::RootCertStore::empty();
        roots.add(anchor.clone().into_owned()).map_err(|e| {
            self.refuse(Refusal::Invalid(format!(
                "the pinned certificate cannot be an authority: {e}"
            )))
        })?;
        let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            self.provider.clone(),
        )
        .build()
        .map_err(|e| self.refuse(Refusal::Invalid(e.to_string())))?;
        webpki
            .verify_server_cert(end_entity, intermediates, server_name, &[], now)
            .map_err(|e| self.refuse(Refusal::Invalid(e.to_string())))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Whether a request failed because a TLS certificate was refused (by
/// the system's roots, a `--ca` file or a pin): reqwest wraps rustls'
/// error in connection and IO errors, so the chain is walked. An IO error
/// is looked into with `get_ref`, because its `source` skips the error it
/// wraps.
pub(crate) fn certificate_refused(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(rustls::Error::InvalidCertificate(c)) = err.downcast_ref::<rustls::Error>() {
            return Some(c.to_string());
        }
        cur = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_read_as_printed_and_as_other_tools_print_them() {
        let f = Fingerprint::of(b"abc");
        let printed = f.to_string();
        assert_eq!(
            printed,
            "SHA256:BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"
        );
        assert_eq!(Fingerprint::parse(&printed).unwrap(), f);
        assert_eq!(Fingerprint::parse(&printed.to_lowercase()).unwrap(), f);
        let bare = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(Fingerprint::parse(bare).unwrap(), f);
        for bad in ["", "SHA256:", "SHA256:BA:78", &format!("{bare}00"), "zz"] {
            let e = Fingerprint::parse(bad).unwrap_err();
            assert!(e.contains("32 hex pairs"), "{bad}: {e}");
        }
    }
}
