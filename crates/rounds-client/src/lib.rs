//! A device's connection to its office: joining with a code, and syncing
//! the local store through the sans-IO engine in `rounds_core::sync` over
//! HTTP (reqwest with rustls). The CLI and the desktop app both use it.
//!
//! TLS is checked in one of three ways, chosen at `rounds join`: against a
//! pinned certificate ([`pin`], `--fingerprint`), against a certificate
//! authority file (`--ca`), or against the system's roots.
//!
//! The office's member directory (`GET /v1/members`: who is in the office,
//! at which site, and which member this device is) is fetched by
//! [`members`] and kept in the store; [`sync`] refreshes it at most once
//! an hour, and [`cached_members`] reads it offline.

pub mod bundle;
mod pin;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use pin::Fingerprint;
use pin::{PinVerifier, Refusal};

use rounds_core::sync::{Report, Session, SessionLimits};
use rounds_proto::{CONTENT_TYPE, EnrollRequest, EnrollResponse, ErrorBody, MembersResponse};
use rounds_store::{OutgoingCandidate, Store, StoreError, TOKEN_FILE};

mod wait;
pub use wait::{Waiter, Woken};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("this device has not joined an office yet: run `rounds join URL CODE`")]
    NotJoined,
    #[error("this device has already joined {0}")]
    AlreadyJoined(String),
    #[error("{0}")]
    Url(String),
    #[error("{0}")]
    Bundle(String),
    #[error(
        "cannot reach the office ({0}); your work is safe here and will sync when the connection returns"
    )]
    Offline(String),
    #[error(
        "the office refused this device ({0}): it was removed or its access revoked; ask the office for a new code and run `rounds join --rejoin URL CODE` (your work here is kept)"
    )]
    Unauthorized(String),
    #[error(
        "the office refused the request as too large ({0}); your work is safe here — ask the office's administrator about the limit"
    )]
    TooLarge(String),
    #[error(
        "the office at this address showed a different certificate ({seen}) from the one this device pinned when it joined ({pinned}), so nothing was sent; someone may be intercepting the connection, or the office has a new certificate: ask the office's administrator for its fingerprint and, only if they confirm a new one, run `rounds pin FINGERPRINT` with the fingerprint they give you (your work is safe here)"
    )]
    CertificateChanged {
        pinned: Fingerprint,
        seen: Fingerprint,
    },
    #[error(
        "this computer does not trust the office's certificate (its fingerprint is {seen}), so nothing was sent; if that is the fingerprint the office's administrator gave you with the code, join with `rounds join --fingerprint {seen} URL CODE`; if the office's certificate comes from your hospital's certificate authority, add `--ca FILE` with that authority's certificate"
    )]
    CertificateUntrusted { seen: Fingerprint },
    #[error(
        "the office at this address showed a certificate with the fingerprint {seen}, not the {given} you gave, so nothing was sent; check the fingerprint and the address with the office's administrator"
    )]
    FingerprintMismatch {
        given: Fingerprint,
        seen: Fingerprint,
    },
    #[error(
        "the office's certificate was refused ({0}), so nothing was sent; ask the office's administrator whether it has expired or does not name the address you use (your work is safe here)"
    )]
    CertificateInvalid(String),
    #[error("the office answered {status}: {message}")]
    Office {
        status: u16,
        code: String,
        message: String,
    },
    #[error("{0}")]
    Protocol(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// How to reach the office.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    pub url: String,
    /// A PEM file with the certificate authority of the office's TLS
    /// certificate (hospital intranets often run their own).
    pub ca_file: Option<PathBuf>,
    /// Allow plain HTTP to an address other than this machine.
    pub allow_http: bool,
    /// The certificate this office was pinned by (see [`pin`]); when set,
    /// no other certificate is accepted.
    pub pin: Option<Fingerprint>,
}

fn check_url(c: &Connection) -> Result<reqwest::Url, ClientError> {
    let url = reqwest::Url::parse(c.url.trim_end_matches('/'))
        .map_err(|e| ClientError::Url(format!("office URL `{}`: {e}", c.url)))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(d)) => d == "localhost",
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if !loopback && !c.allow_http {
                return Err(ClientError::Url(format!(
                    "office URL `{}`: plain http is only allowed to this machine; use https, or --allow-http on a trusted network",
                    c.url
                )));
            }
        }
        s => {
            return Err(ClientError::Url(format!(
                "office URL `{}`: unsupported scheme `{s}`",
                c.url
            )));
        }
    }
    Ok(url)
}

/// An endpoint below the office's URL, keeping any path prefix: an office
/// behind a reverse proxy at `https://host/rounds` is reached at
/// `https://host/rounds/v1/sync`.
fn endpoint(base: &reqwest::Url, path: &[&str]) -> Result<reqwest::Url, ClientError> {
    let mut url = base.clone();
    url.path_segments_mut()
        .map_err(|()| ClientError::Url(format!("office URL `{base}` cannot have a path")))?
        .pop_if_empty()
        .extend(path);
    Ok(url)
}

/// An HTTP client for the office, and what its pinning verifier refused.
#[derive(Debug)]
struct Http {
    client: reqwest::blocking::Client,
    pin: Option<Fingerprint>,
    refused: Option<Arc<Mutex<Option<Refusal>>>>,
}

impl Http {
    /// What a failed request means: a refused certificate (which one and
    /// why), or an office that cannot be reached.
    fn send_error(&self, e: reqwest::Error) -> ClientError {
        let refusal = self
            .refused
            .as_ref()
            .and_then(|r| r.lock().unwrap_or_else(|e| e.into_inner()).take());
        match (refusal, self.pin) {
            (Some(Refusal::Mismatch { seen }), Some(pinned)) => {
                ClientError::CertificateChanged { pinned, seen }
            }
            (Some(Refusal::Mismatch { seen }), None) => ClientError::CertificateUntrusted { seen },
            (Some(Refusal::Invalid(why)), _) => ClientError::CertificateInvalid(why),
            (None, _) => match pin::certificate_refused(&e) {
                Some(why) => ClientError::CertificateInvalid(why),
                None => ClientError::Offline(e.to_string()),
            },
        }
    }
}

fn http_client(c: &Connection) -> Result<Http, ClientError> {
    let mut b = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(120))
        .user_agent(concat!("rounds/", env!("CARGO_PKG_VERSION")));
    let mut refused = None;
    if c.pin.is_some() && c.ca_file.is_some() {
        return Err(ClientError::Url(
            "give the office's certificate either as a fingerprint (--fingerprint) or as a certificate authority (--ca), not both".into(),
        ));
    }
    if c.pin.is_some() {
        let verifier = PinVerifier::new(c.pin);
        refused = Some(verifier.refused.clone());
        let config = verifier
            .client_config()
            .map_err(|e| ClientError::Url(format!("cannot set up HTTPS: {e}")))?;
        b = b.tls_backend_preconfigured(config);
    }
    if let Some(ca) = &c.ca_file {
        let pem =
            std::fs::read(ca).map_err(|e| ClientError::Url(format!("{}: {e}", ca.display())))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            ClientError::Url(format!("{}: not a PEM certificate: {e}", ca.display()))
        })?;
        // A file with no certificate in it would otherwise be accepted and
        // silently change nothing.
        if certs.is_empty() {
            return Err(ClientError::Url(format!(
                "{}: holds no PEM certificate",
                ca.display()
            )));
        }
        for cert in certs {
            b = b.add_root_certificate(cert);
        }
    }
    let client = b
        .build()
        .map_err(|e| ClientError::Url(format!("cannot set up HTTPS: {e}")))?;
    Ok(Http {
        client,
        pin: c.pin,
        refused,
    })
}

/// The fingerprint of the certificate an office shows, learnt without
/// trusting it: the handshake is refused, so nothing is sent.
fn probe_fingerprint(url: &reqwest::Url) -> Option<Fingerprint> {
    let verifier = PinVerifier::new(None);
    let refused = verifier.refused.clone();
    let client = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .tls_backend_preconfigured(verifier.client_config().ok()?)
        .build()
        .ok()?;
    let _ = client.get(endpoint(url, &["healthz"]).ok()?).send();
    let r = refused.lock().unwrap_or_else(|e| e.into_inner()).take();
    match r {
        Some(Refusal::Mismatch { seen }) => Some(seen),
        _ => None,
    }
}

fn office_error(resp: reqwest::blocking::Response) -> ClientError {
    let status = resp.status().as_u16();
    let body: Option<ErrorBody> = resp.json().ok();
    let (code, message) = body.map_or_else(
        || ("unknown".into(), "no details".into()),
        |b| (b.code, b.message),
    );
    if status == 401 {
        return ClientError::Unauthorized(message);
    }
    if status == 413 {
        return ClientError::TooLarge(message);
    }
    ClientError::Office {
        status,
        code,
        message,
    }
}

fn token_path(data: &Path) -> PathBuf {
    data.join(TOKEN_FILE)
}

/// Writes the token so that only this user can read it.
fn write_token(data: &Path, token: &str) -> Result<(), ClientError> {
    write_secret(data, TOKEN_FILE, token)
}

/// Writes a secret to a file of the data directory that only this user
/// can read, replacing it whole.
fn write_secret(data: &Path, name: &str, token: &str) -> Result<(), ClientError> {
    use std::io::Write;
    let path = data.join(name);
    let tmp = data.join(format!("{name}.tmp"));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    // Windows has no mode bits: a new file takes the ACL its folder passes
    // on. The data directory is under the user's own profile (%APPDATA%,
    // `rounds_store::default_data_dir`), whose ACL grants only that user,
    // SYSTEM and Administrators, the same people 0600 leaves on Unix. Setting
    // an explicit ACL would need unsafe Win32 calls, which the workspace
    // forbids, for no one more kept out. A library moved elsewhere with
    // ROUNDS_DATA (a shared folder) takes that folder's ACL: docs/desktop.md
    // says to keep it in the profile.
    let mut f = opts.open(&tmp)?;
    f.write_all(token.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    Ok(())
}

fn read_token(data: &Path) -> Result<String, ClientError> {
    match std::fs::read_to_string(token_path(data)) {
        Ok(t) => Ok(t.trim().to_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ClientError::NotJoined),
        Err(e) => Err(e.into()),
    }
}

/// Joins an office with a one-time code. `data` is the store's directory,
/// where the token file is written.
pub fn join(
    store: &mut Store,
    data: &Path,
    conn: &Connection,
    code: &str,
    device_name: &str,
) -> Result<EnrollResponse, ClientError> {
    if let Some(url) = store.sync_get("office_url")?
        && token_path(data).exists()
    {
        return Err(ClientError::AlreadyJoined(url));
    }
    enroll(store, data, conn, code, device_name, false)
}

/// Joins again with a new code after this device was revoked (or its token
/// lost). Everything in the store is kept, unpushed edits included: the
/// device keeps its Automerge identity, which the office moves from the
/// revoked device to the new one when the code is for the same member. The
/// old token is replaced only once the office has accepted the new code.
pub fn rejoin(
    store: &mut Store,
    data: &Path,
    conn: &Connection,
    code: &str,
    device_name: &str,
) -> Result<EnrollResponse, ClientError> {
    let mut conn = conn.clone();
    let mut kept_pin = false;
    // A device rejoining the office it pinned keeps the pin unless it is
    // given another way to trust the office.
    if conn.pin.is_none()
        && conn.ca_file.is_none()
        && let Some(pinned) = store.sync_get("tls_pin")?
        && store.sync_get("office_url")?.as_deref()
            == Some(check_url(&conn)?.as_str().trim_end_matches('/'))
    {
        conn.pin = Fingerprint::parse(&pinned).ok();
        kept_pin = conn.pin.is_some();
    }
    enroll(store, data, &conn, code, device_name, kept_pin)
}

/// Pins a new certificate for the office this device joined, after its
/// administrator replaced the office's certificate: the office must show
/// it now (checked by a request that sends nothing of the device's)
/// before it replaces the old pin, or a `--ca` file.
pub fn repin(store: &mut Store, fingerprint: Fingerprint) -> Result<(), ClientError> {
    let mut conn = joined_connection(store)?;
    let url = check_url(&conn)?;
    if url.scheme() != "https" {
        return Err(ClientError::Url(format!(
            "office URL `{}`: a certificate can be pinned only for an https office",
            conn.url
        )));
    }
    conn.pin = Some(fingerprint);
    conn.ca_file = None;
    let http = http_client(&conn)?;
    let resp = http
        .client
        .get(endpoint(&url, &["healthz"])?)
        .send()
        .map_err(|e| http.send_error(e))?;
    if !resp.status().is_success() {
        return Err(office_error(resp));
    }
    store.sync_set("tls_pin", Some(&fingerprint.to_string()))?;
    store.sync_set("ca_file", None)?;
    Ok(())
}

fn enroll(
    store: &mut Store,
    data: &Path,
    conn: &Connection,
    code: &str,
    device_name: &str,
    kept_pin: bool,
) -> Result<EnrollResponse, ClientError> {
    let url = check_url(conn)?;
    if conn.pin.is_some() && url.scheme() != "https" {
        return Err(ClientError::Url(format!(
            "office URL `{}`: a certificate fingerprint needs an https office",
            conn.url
        )));
    }
    let http = http_client(conn)?;
    let req = EnrollRequest {
        code: code.to_owned(),
        actor: store.actor().to_hex_string(),
        device_name: device_name.to_owned(),
    };
    let resp = http
        .client
        .post(endpoint(&url, &["v1", "enroll"])?)
        .json(&req)
        .send()
        .map_err(|e| {
            let err = match http.send_error(e) {
                // The fingerprint was typed in now, not pinned before.
                ClientError::CertificateChanged { pinned, seen } if !kept_pin => {
                    ClientError::FingerprintMismatch {
                        given: pinned,
                        seen,
                    }
                }
                other => other,
            };
            // An office this computer does not trust, joined without a
            // fingerprint or authority: say which certificate it showed,
            // so the teacher can compare it with the administrator's.
            if let ClientError::CertificateInvalid(_) = &err
                && conn.pin.is_none()
                && conn.ca_file.is_none()
                && let Some(seen) = probe_fingerprint(&url)
            {
                return ClientError::CertificateUntrusted { seen };
            }
            err
        })?;
    if !resp.status().is_success() {
        return Err(office_error(resp));
    }
    let enrolled: EnrollResponse = resp
        .json()
        .map_err(|e| ClientError::Protocol(format!("enrollment answer: {e}")))?;
    write_token(data, &enrolled.token)?;
    store.sync_set("office_url", Some(url.as_str().trim_end_matches('/')))?;
    store.sync_set("office_name", Some(&enrolled.office_name))?;
    store.sync_set("member_name", Some(&enrolled.member_name))?;
    store.sync_set("member_id", Some(&enrolled.member_id))?;
    // A directory cached before a rejoin may be another member's or
    // office's: the next sync fetches it again.
    store.sync_set(MEMBERS_KEY, None)?;
    store.sync_set(MEMBERS_FETCHED_KEY, None)?;
    store.sync_set("device_id", Some(&enrolled.device_id))?;
    store.sync_set("office_id", Some(&enrolled.office_id))?;
    // A new device at the office: its bundle key is registered anew.
    store.sync_set("bundle_key", None)?;
    store.sync_set("role", Some(&enrolled.role))?;
    store.sync_set("ca_file", conn.ca_file.as_ref().and_then(|p| p.to_str()))?;
    store.sync_set("allow_http", conn.allow_http.then_some("1"))?;
    store.sync_set("tls_pin", conn.pin.map(|p| p.to_string()).as_deref())?;
    store.reset_sync_cursor()?;
    // Registered now, so a site that loses its link straight away can
    // still sync by USB drive; an office without bundles (404) is fine,
    // and a failure is tried again after each sync.
    let _ = bundle::register_key(store, data);
    if store.user_name().is_empty()
        || store.user_name() == std::env::var("USER").unwrap_or_default()
    {
        store.set_user_name(&enrolled.member_name)?;
    }
    Ok(enrolled)
}

/// The connection this store joined with.
pub fn joined_connection(store: &Store) -> Result<Connection, ClientError> {
    let url = store
        .sync_get("office_url")?
        .ok_or(ClientError::NotJoined)?;
    Ok(Connection {
        url,
        ca_file: store.sync_get("ca_file")?.map(PathBuf::from),
        allow_http: store.sync_get("allow_http")?.is_some(),
        pin: match store.sync_get("tls_pin")? {
            Some(p) => Some(Fingerprint::parse(&p).map_err(ClientError::Protocol)?),
            None => None,
        },
    })
}

/// One exchange with the office: request bytes in, response bytes out.
/// The HTTP transport below; tests can put a fault-injecting one in its place.
pub trait Transport {
    fn exchange(&mut self, request: Vec<u8>) -> Result<Vec<u8>, ClientError>;

    /// The office's member directory (`GET /v1/members`), which [`sync`]
    /// fetches at the end of a successful sync when its cache is older than
    /// [`MEMBERS_REFRESH_MS`]. `None`: this transport has no directory to
    /// offer (a test's or the simulation's), and the cache is left alone.
    fn members(&mut self) -> Option<Result<MembersResponse, ClientError>> {
        None
    }
}

pub struct HttpTransport {
    http: Http,
    url: reqwest::Url,
    members_url: reqwest::Url,
    token: String,
}

/// How long a member directory fetched at the end of a sync stays fresh:
/// members and sites change rarely, and a sync every few seconds (the
/// desktop app's, while someone types) must not ask every time.
pub const MEMBERS_REFRESH_MS: i64 = 3_600_000;

/// The longest the directory's request may take. It runs after the sync
/// has succeeded and holds its answer up, so it gets less time than a
/// sync's page does.
const MEMBERS_TIMEOUT: Duration = Duration::from_secs(30);

/// The store's sync settings holding the cached directory (its JSON), the
/// time it was last asked for (milliseconds, the sync's clock) and this
/// device's member id.
const MEMBERS_KEY: &str = "members";
const MEMBERS_FETCHED_KEY: &str = "members_fetched";
const MEMBER_ID_KEY: &str = "member_id";

impl HttpTransport {
    pub fn for_store(store: &Store, data: &Path) -> Result<HttpTransport, ClientError> {
        let conn = joined_connection(store)?;
        let base = check_url(&conn)?;
        Ok(HttpTransport {
            http: http_client(&conn)?,
            url: endpoint(&base, &["v1", "sync"])?,
            members_url: endpoint(&base, &["v1", "members"])?,
            token: read_token(data)?,
        })
    }

    /// Asks the office for its member directory.
    fn fetch_members(&self) -> Result<MembersResponse, ClientError> {
        let resp = self
            .http
            .client
            .get(self.members_url.clone())
            .bearer_auth(&self.token)
            .timeout(MEMBERS_TIMEOUT)
            .send()
            .map_err(|e| self.http.send_error(e))?;
        if !resp.status().is_success() {
            return Err(office_error(resp));
        }
        resp.json()
            .map_err(|e| ClientError::Protocol(format!("member directory: {e}")))
    }
}

impl Transport for HttpTransport {
    fn members(&mut self) -> Option<Result<MembersResponse, ClientError>> {
        Some(self.fetch_members())
    }

    fn exchange(&mut self, request: Vec<u8>) -> Result<Vec<u8>, ClientError> {
        let resp = self
            .http
            .client
            .post(self.url.clone())
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
            .body(request)
            .send()
            .map_err(|e| self.http.send_error(e))?;
        if !resp.status().is_success() {
            return Err(office_error(resp));
        }
        Ok(resp
            .bytes()
            .map_err(|e| ClientError::Offline(e.to_string()))?
            .to_vec())
    }
}

/// Fetches the member directory of the office this store joined
/// (`GET /v1/members`: its current members, their roles and sites, and
/// which of them this device is) and caches it in the store, with this
/// device's member id (so a library that joined before the office had a
/// directory learns it). `data` is the store's directory, which holds the
/// token.
pub fn members(store: &Store, data: &Path) -> Result<MembersResponse, ClientError> {
    let directory = HttpTransport::for_store(store, data)?.fetch_members()?;
    cache_members(store, &directory, rounds_sqlite::now_ms())?;
    Ok(directory)
}

/// The member directory as last fetched, without asking the office; `None`
/// when it never was (or the cache does not read, which the next refresh
/// mends: it is only a copy of the office's).
pub fn cached_members(store: &Store) -> Result<Option<MembersResponse>, ClientError> {
    Ok(store
        .sync_get(MEMBERS_KEY)?
        .and_then(|json| serde_json::from_str(&json).ok()))
}

fn cache_members(store: &Store, directory: &MembersResponse, now: i64) -> Result<(), ClientError> {
    let json = serde_json::to_string(directory)
        .map_err(|e| ClientError::Protocol(format!("member directory: {e}")))?;
    store.sync_set(MEMBERS_KEY, Some(&json))?;
    store.sync_set(MEMBER_ID_KEY, Some(&directory.you))?;
    // Last: a directory stored only in part is fetched again next time.
    store.sync_set(MEMBERS_FETCHED_KEY, Some(&now.to_string()))?;
    Ok(())
}

/// At the end of a successful sync, fetches the member directory through
/// the transport when the cache is missing or older than
/// [`MEMBERS_REFRESH_MS`] by the sync's clock (or from the clock's future:
/// a clock set back). Never fails the sync: the directory is a
/// convenience beside it. A failed fetch (an office without the
/// directory, a link lost after the last page) still counts as the hour's
/// attempt, so an office that cannot answer is not asked after every sync.
fn refresh_members(store: &Store, transport: &mut dyn Transport, now: i64) {
    let fetched = store
        .sync_get(MEMBERS_FETCHED_KEY)
        .ok()
        .flatten()
        .and_then(|t| t.parse::<i64>().ok());
    if fetched.is_some_and(|t| t <= now && now - t < MEMBERS_REFRESH_MS) {
        return;
    }
    match transport.members() {
        None => {}
        Some(Ok(directory)) => {
            let _ = cache_members(store, &directory, now);
        }
        Some(Err(_)) => {
            let _ = store.sync_set(MEMBERS_FETCHED_KEY, Some(&now.to_string()));
        }
    }
}

/// Syncs until the office has everything of ours and we have every page.
/// Each page is applied with its cursor in one transaction, so an
/// interrupted sync resumes where it stopped. At the end, the member
/// directory is refreshed if it is due (see [`MEMBERS_REFRESH_MS`]); that
/// never fails the sync.
pub fn sync(
    store: &mut Store,
    transport: &mut dyn Transport,
    now: &dyn Fn() -> i64,
) -> Result<Report, ClientError> {
    sync_with_progress(store, transport, now, &mut |_| {})
}

/// [`sync`], calling `progress` with the report so far after each page is
/// applied, so a long first sync can show how far it is.
pub fn sync_with_progress(
    store: &mut Store,
    transport: &mut dyn Transport,
    now: &dyn Fn() -> i64,
    progress: &mut dyn FnMut(&Report),
) -> Result<Report, ClientError> {
    sync_with_limits(store, transport, now, SessionLimits::default(), progress)
}

/// [`sync_with_progress`] with other limits than the default (the
/// benchmark compares page sizes with it).
pub fn sync_with_limits(
    store: &mut Store,
    transport: &mut dyn Transport,
    now: &dyn Fn() -> i64,
    limits: SessionLimits,
    progress: &mut dyn FnMut(&Report),
) -> Result<Report, ClientError> {
    let report = sync_once(store, transport, now, limits, progress)?;
    if !report.restarted {
        return Ok(report);
    }
    // The office was restored from a backup: offer it everything now,
    // rather than at the next sync.
    let again = sync_once(store, transport, now, limits, progress)?;
    Ok(combine(report, again))
}

/// Two sessions' reports as one.
fn combine(a: Report, b: Report) -> Report {
    let mut rejections = a.rejections;
    rejections.extend(b.rejections);
    Report {
        round_trips: a.round_trips + b.round_trips,
        bytes_up: a.bytes_up + b.bytes_up,
        bytes_down: a.bytes_down + b.bytes_down,
        docs_pushed: a.docs_pushed + b.docs_pushed,
        changes_pushed: a.changes_pushed + b.changes_pushed,
        docs_received: a.docs_received + b.docs_received,
        changes_received: a.changes_received + b.changes_received,
        snapshots_received: a.snapshots_received + b.snapshots_received,
        rejections,
        restarted: a.restarted || b.restarted,
    }
}

fn sync_once(
    store: &mut Store,
    transport: &mut dyn Transport,
    now: &dyn Fn() -> i64,
    limits: SessionLimits,
    progress: &mut dyn FnMut(&Report),
) -> Result<Report, ClientError> {
    // What may have changes for the office is listed cheaply; each
    // document is then read (and its push recorded) a slice at a time, the
    // next slice while the office validates the request before, so a first
    // upload of a large library keeps both busy instead of taking turns.
    let mut candidates: VecDeque<OutgoingCandidate> = store.outgoing_candidates()?.into();
    let mut slices = Slices::default();
    let first = slices.take(&mut candidates);
    let mut session = Session::new(store.sync_cursor()?, store.outgoing_of(&first)?, limits);
    loop {
        // A slice whose documents all had nothing to send (held, or pushed
        // meanwhile) leaves the queue empty while others wait.
        while session.nothing_queued() && !candidates.is_empty() {
            let next = slices.take(&mut candidates);
            session.push_more(store.outgoing_of(&next)?);
        }
        let Some(req) = session.next_request() else {
            break;
        };
        let next = slices.take(&mut candidates);
        let sent = now();
        let (resp, mut read) = std::thread::scope(|s| {
            // Named, to be told apart in a profile; if no thread can be
            // had, the slice is read after the exchange instead.
            let reader = (!next.is_empty())
                .then(|| {
                    std::thread::Builder::new()
                        .name("rounds-sync-read".into())
                        .spawn_scoped(s, || store.outgoing_of(&next))
                        .ok()
                })
                .flatten();
            let resp = transport.exchange(req);
            let read = reader.map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
            (resp, read)
        });
        if read.is_none() && !next.is_empty() && resp.is_ok() {
            read = Some(store.outgoing_of(&next));
        }
        let resp = match resp {
            Ok(r) => r,
            Err(e) => {
                // The slice read meanwhile is read again at the next sync;
                // its pushes were recorded as possibly at the office, which
                // only keeps a shared case's history as it was pushed.
                session.on_failure();
                return Err(e);
            }
        };
        let update = session
            .on_response_in(&resp, now() - sent)
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        store.apply_page(&update, now())?;
        progress(&session.report);
        if let Some(read) = read {
            session.push_more(read?);
        }
    }
    refresh_members(store, transport, now());
    Ok(session.report)
}

/// How many candidate documents each slice of a sync reads: 256 first (a
/// sync with up to that many changed documents stays one round trip, and
/// the first request leaves soon), then twice as many up to a bound,
/// so a large upload needs few round trips and the office's last request,
/// which nothing overlaps, stays short.
struct Slices {
    size: usize,
}

impl Slices {
    const FIRST: usize = 256;
    const MOST: usize = 1024;

    fn take(&mut self, candidates: &mut VecDeque<OutgoingCandidate>) -> Vec<OutgoingCandidate> {
        let n = self.size.min(candidates.len());
        self.size = (self.size * 2).min(Self::MOST);
        candidates.drain(..n).collect()
    }
}

impl Default for Slices {
    fn default() -> Self {
        Slices { size: Self::FIRST }
    }
}

/// Syncs the store in `data` with the office it joined, over HTTP.
pub fn sync_joined(store: &mut Store, data: &Path) -> Result<Report, ClientError> {
    sync_joined_with_progress(store, data, &mut |_| {})
}

/// [`sync_joined`] with [`sync_with_progress`]'s callback.
pub fn sync_joined_with_progress(
    store: &mut Store,
    data: &Path,
    progress: &mut dyn FnMut(&Report),
) -> Result<Report, ClientError> {
    let mut t = HttpTransport::for_store(store, data)?;
    let report = sync_with_progress(store, &mut t, &rounds_sqlite::now_ms, progress)?;
    // A device that joined before USB bundles (or whose registration
    // failed) registers its bundle key; never a reason to fail the sync.
    if !bundle::registered(store, data).unwrap_or(true) {
        let _ = bundle::register_key(store, data);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn(url: &str, allow_http: bool) -> Connection {
        Connection {
            url: url.into(),
            ca_file: None,
            allow_http,
            pin: None,
        }
    }

    #[test]
    fn plain_http_is_only_for_this_machine_unless_allowed() {
        assert!(check_url(&conn("http://127.0.0.1:7878", false)).is_ok());
        assert!(check_url(&conn("http://localhost:7878/", false)).is_ok());
        assert!(check_url(&conn("http://[::1]:7878", false)).is_ok());
        assert!(check_url(&conn("https://office.example.cn", false)).is_ok());
        let err = check_url(&conn("http://10.1.2.3:7878", false))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("plain http is only allowed to this machine"),
            "{err}"
        );
        assert!(check_url(&conn("http://10.1.2.3:7878", true)).is_ok());
        assert!(check_url(&conn("ftp://office", true)).is_err());
        assert!(check_url(&conn("not a url", true)).is_err());
    }

    #[test]
    fn endpoints_keep_the_office_path_prefix() {
        for (base, want) in [
            ("http://127.0.0.1:7878", "http://127.0.0.1:7878/v1/sync"),
            ("http://127.0.0.1:7878/", "http://127.0.0.1:7878/v1/sync"),
            (
                "https://h.example/rounds",
                "https://h.example/rounds/v1/sync",
            ),
            ("https://h.example/a/b/", "https://h.example/a/b/v1/sync"),
        ] {
            let url = check_url(&conn(base, false)).unwrap();
            assert_eq!(endpoint(&url, &["v1", "sync"]).unwrap().as_str(), want);
        }
    }

    #[test]
    fn a_certificate_authority_file_must_hold_a_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("ca.pem");
        std::fs::write(&bad, "not a certificate").unwrap();
        let c = Connection {
            url: "https://office.example.cn".into(),
            ca_file: Some(bad),
            allow_http: false,
            pin: None,
        };
        assert!(http_client(&c).is_err());
        let missing = Connection {
            ca_file: Some(dir.path().join("nope.pem")),
            ..c
        };
        assert!(
            http_client(&missing)
                .unwrap_err()
                .to_string()
                .contains("nope.pem")
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_token_file_is_readable_only_by_its_user() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        write_token(dir.path(), "rt_secret").unwrap();
        let mode = std::fs::metadata(token_path(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(read_token(dir.path()).unwrap(), "rt_secret");
    }
}
