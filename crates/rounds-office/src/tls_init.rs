//! `rounds-office tls init`: an office certificate authority and a server
//! certificate for an intranet without a certificate authority of its own.
//!
//! The directory gets `ca.pem` (the authority's certificate), `ca-key.pem`
//! (its key, mode 0600), `server.pem` (the server certificate followed by
//! the authority's, the chain the office serves) and `server-key.pem`
//! (mode 0600). Devices pin the authority (see [`crate::tls::pin_fingerprint`]),
//! so running `tls init` again with the authority's files present issues
//! a new server certificate (new key, new names, new dates) that every
//! joined device keeps trusting; the office serves it without a restart.
//!
//! The authority's name carries a digest of its public key. That makes
//! two offices' authorities tell apart, and lets a renewal rebuild the
//! issuer's name from the key alone (no certificate parser needed); the
//! new certificate is then verified against `ca.pem` before anything is
//! written, so a mismatched pair of files is refused.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use sha2::{Digest, Sha256};

use crate::tls::{TlsError, TlsFiles, fingerprint, load_chain, provider};

/// The time `init` takes, re-exported so callers need not depend on `time`.
pub use time::OffsetDateTime as Time;

/// How long the office's certificate authority is valid.
pub const CA_DAYS: i64 = 3650;
/// The longest server certificate `tls init` makes.
pub const MAX_DAYS: i64 = 3650;

/// What `tls init` made.
#[derive(Debug)]
pub struct Made {
    pub files: TlsFiles,
    pub ca_cert: PathBuf,
    pub ca_key: PathBuf,
    /// False when an existing authority issued the new server certificate.
    pub new_ca: bool,
    /// The fingerprint devices pin: the authority's.
    pub fingerprint: String,
    pub names: Vec<String>,
    /// When the server certificate expires (RFC 3339).
    pub not_after: String,
}

fn invalid(m: impl Into<String>) -> TlsError {
    TlsError::Invalid(m.into())
}

fn rc(what: &str) -> impl Fn(rcgen::Error) -> TlsError + '_ {
    move |e| invalid(format!("{what}: {e}"))
}

/// Checks the names a server certificate is for: host names or IP
/// addresses, at least one, no duplicates.
pub fn check_names(names: &[String]) -> Result<Vec<String>, TlsError> {
    if names.is_empty() {
        return Err(invalid(
            "name: give the office's host name or IP address with --name (repeat it for each name devices use)",
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for n in names {
        let n = n.trim().trim_end_matches('.').to_ascii_lowercase();
        let ok = n.parse::<IpAddr>().is_ok()
            || (!n.is_empty() && ServerName::try_from(n.as_str()).is_ok() && !n.contains(':'));
        if !ok {
            return Err(invalid(format!(
                "name `{n}`: not a host name or an IP address"
            )));
        }
        if !out.contains(&n) {
            out.push(n);
        }
    }
    Ok(out)
}

fn ca_name(key: &KeyPair) -> DistinguishedName {
    let digest = Sha256::digest(key.public_key_raw());
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Rounds");
    dn.push(
        DnType::CommonName,
        format!("Rounds office CA {}", hex::encode(&digest[..6])),
    );
    dn
}

fn ca_params(key: &KeyPair, now: time::OffsetDateTime) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = ca_name(key);
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p.not_before = now - time::Duration::hours(1);
    p.not_after = now + time::Duration::days(CA_DAYS);
    p.serial_number = Some(serial());
    p
}

fn serial() -> SerialNumber {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the system's random source");
    // Positive and without a leading zero byte, as DER wants it.
    b[0] = (b[0] & 0x7f) | 0x40;
    SerialNumber::from_slice(&b)
}

/// Makes (or renews) the files in `dir`; see the module's documentation.
/// Nothing is written unless everything was made and checked.
pub fn init(
    dir: &Path,
    names: &[String],
    days: i64,
    now: time::OffsetDateTime,
) -> Result<Made, TlsError> {
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(invalid(format!("days: must be from 1 to {MAX_DAYS}")));
    }
    let names = check_names(names)?;
    let ca_cert = dir.join("ca.pem");
    let ca_key = dir.join("ca-key.pem");
    let (ca_pem, key, new_ca) = match (ca_cert.exists(), ca_key.exists()) {
        (true, true) => {
            let key_pem = std::fs::read_to_string(&ca_key).map_err(|e| TlsError::File {
                path: ca_key.clone(),
                message: e.to_string(),
            })?;
            let key = KeyPair::from_pem(&key_pem).map_err(|e| TlsError::File {
                path: ca_key.clone(),
                message: format!("not a private key: {e}"),
            })?;
            let pem = std::fs::read_to_string(&ca_cert).map_err(|e| TlsError::File {
                path: ca_cert.clone(),
                message: e.to_string(),
            })?;
            (pem, key, false)
        }
        (false, false) => {
            let key = KeyPair::generate().map_err(rc("certificate authority key"))?;
            let cert = ca_params(&key, now)
                .self_signed(&key)
                .map_err(rc("certificate authority"))?;
            (cert.pem(), key, true)
        }
        (cert, _) => {
            let (have, missing) = if cert {
                (&ca_cert, &ca_key)
            } else {
                (&ca_key, &ca_cert)
            };
            return Err(invalid(format!(
                "{} is there but {} is not: put it back, or move both away to make a new authority (devices that pinned the old one must then be given the new fingerprint)",
                have.display(),
                missing.display()
            )));
        }
    };
    let issuer = Issuer::new(ca_params(&key, now), &key);

    let server_key = KeyPair::generate().map_err(rc("server key"))?;
    let mut p = CertificateParams::new(names.clone()).map_err(rc("server names"))?;
    p.distinguished_name = DistinguishedName::new();
    p.distinguished_name
        .push(DnType::CommonName, names[0].clone());
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    p.use_authority_key_identifier_extension = true;
    p.not_before = now - time::Duration::hours(1);
    p.not_after = now + time::Duration::days(days);
    p.serial_number = Some(serial());
    let server = p
        .signed_by(&server_key, &issuer)
        .map_err(rc("server certificate"))?;

    // The authority's certificate as the office will serve it and devices
    // will check it: the new certificate must chain to it for every name.
    let ca_chain = CertificateDer::pem_slice_iter(ca_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .ok()
        .filter(|c| c.len() == 1)
        .ok_or_else(|| TlsError::File {
            path: ca_cert.clone(),
            message: "must hold exactly one PEM certificate".into(),
        })?;
    verify_issued(&ca_chain[0], server.der(), &names, now).map_err(|e| {
        invalid(format!(
            "{} and {} do not belong together ({e}); was the authority made by `rounds-office tls init`?",
            ca_cert.display(),
            ca_key.display()
        ))
    })?;

    std::fs::create_dir_all(dir).map_err(|e| TlsError::File {
        path: dir.to_owned(),
        message: e.to_string(),
    })?;
    if new_ca {
        write_file(&ca_key, key.serialize_pem().as_bytes(), true)?;
        write_file(&ca_cert, ca_pem.as_bytes(), false)?;
    }
    let files = TlsFiles {
        cert: dir.join("server.pem"),
        key: dir.join("server-key.pem"),
    };
    // The key first: an office reading the pair between the two writes
    // sees a certificate that does not match and keeps the old pair.
    write_file(&files.key, server_key.serialize_pem().as_bytes(), true)?;
    let chain = format!("{}{}", server.pem(), ca_pem);
    write_file(&files.cert, chain.as_bytes(), false)?;
    let written = load_chain(&files.cert)?;
    Ok(Made {
        files,
        ca_cert,
        ca_key,
        new_ca,
        fingerprint: fingerprint(written.last().expect("two certificates written")),
        names,
        not_after: rounds_core::time::rfc3339(
            (p.not_after.unix_timestamp() * 1000).clamp(0, i64::MAX),
        ),
    })
}

/// Checks that `cert` chains to `ca` and is valid for each of `names`,
/// as a device checks it.
pub fn verify_issued(
    ca: &CertificateDer<'_>,
    cert: &CertificateDer<'_>,
    names: &[String],
    now: time::OffsetDateTime,
) -> Result<(), String> {
    use rustls::client::danger::ServerCertVerifier;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(ca.clone().into_owned())
        .map_err(|e| e.to_string())?;
    let verifier =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .map_err(|e| e.to_string())?;
    let at = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        now.unix_timestamp().max(0) as u64,
    ));
    for n in names {
        let name = ServerName::try_from(n.clone()).map_err(|e| format!("{n}: {e}"))?;
        verifier
            .verify_server_cert(cert, &[], &name, &[], at)
            .map_err(|e| format!("{n}: {e}"))?;
    }
    Ok(())
}

/// Writes a file whole (a temporary file renamed over it), readable only
/// by its owner when `private`.
fn write_file(path: &Path, bytes: &[u8], private: bool) -> Result<(), TlsError> {
    use std::io::Write;
    let err = |e: std::io::Error| TlsError::File {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut f = opts.open(&tmp).map_err(err)?;
    f.write_all(bytes).map_err(err)?;
    f.sync_all().map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_host_names_or_addresses() {
        assert_eq!(
            check_names(&[
                "Office.Example.".into(),
                "10.0.0.5".into(),
                "office.example".into()
            ])
            .unwrap(),
            vec!["office.example".to_string(), "10.0.0.5".to_string()]
        );
        assert!(check_names(&[]).is_err());
        for bad in ["", "has space", "http://office", "a..b"] {
            let e = check_names(&[bad.into()]).unwrap_err().to_string();
            assert!(e.contains("not a host name"), "{bad}: {e}");
        }
    }
}
