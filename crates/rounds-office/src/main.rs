//! `rounds-office`: the central office server and its administration.
//!
//! `rounds-office serve` starts the server on SQLite in a data directory;
//! the other subcommands administer the same database (safe while it runs).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use rounds_office::backend::Backend;
use rounds_office::db::{OfficeDb, Role};
use rounds_office::service::{Limits, Service, check_site, new_id};
use serde::Deserialize;

#[derive(Parser)]
#[command(
    name = "rounds-office",
    version,
    about = "The central office server of Rounds."
)]
struct Cli {
    /// Where the office keeps its database.
    #[arg(long, global = true, env = "ROUNDS_OFFICE_DATA", value_name = "DIR")]
    data: Option<PathBuf>,
    /// Run on PostgreSQL at this URL (postgres://USER:PASSWORD@HOST/DATABASE)
    /// instead of SQLite in the data directory.
    #[arg(
        long,
        global = true,
        env = "ROUNDS_OFFICE_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
    /// A TOML file with settings (`listen`, `data`, `database_url`, `max_request_bytes`, `page_bytes`, `log_json`, `trusted_proxies`, `max_waiting`, `tls_cert`, `tls_key`, `downloads`).
    #[arg(long, global = true, env = "ROUNDS_OFFICE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Address to listen on (default 127.0.0.1:7878; port 0 picks a free one).
        #[arg(long, env = "ROUNDS_OFFICE_LISTEN")]
        listen: Option<SocketAddr>,
        /// Log as JSON lines instead of text.
        #[arg(long, env = "ROUNDS_OFFICE_LOG_JSON")]
        log_json: bool,
        /// Serve HTTPS with this certificate chain (PEM, the server's
        /// certificate first); read again whenever it changes.
        #[arg(
            long,
            env = "ROUNDS_OFFICE_TLS_CERT",
            value_name = "FILE",
            requires = "tls_key"
        )]
        tls_cert: Option<PathBuf>,
        /// The private key (PEM) of --tls-cert.
        #[arg(
            long,
            env = "ROUNDS_OFFICE_TLS_KEY",
            value_name = "FILE",
            requires = "tls_cert"
        )]
        tls_key: Option<PathBuf>,
        /// Offer the files of this directory at /downloads/ to anyone who
        /// can reach the office (the Rounds and WebView2 installers);
        /// default: `downloads` in the data directory, when it exists.
        #[arg(long, env = "ROUNDS_OFFICE_DOWNLOADS", value_name = "DIR")]
        downloads: Option<PathBuf>,
    },
    /// The office's own TLS: make a certificate authority and a server
    /// certificate, show the fingerprint devices pin.
    Tls {
        #[command(subcommand)]
        action: TlsAction,
    },
    /// Create, list offices.
    Office {
        #[command(subcommand)]
        action: OfficeAction,
    },
    /// Add, list and remove members.
    Member {
        #[command(subcommand)]
        action: MemberAction,
    },
    /// The office's own review rubrics, beside the built-in ones
    /// (Glassick's criteria, 评课).
    Rubric {
        #[command(subcommand)]
        action: RubricAction,
    },
    /// Issue a one-time enrollment code for a member (shown once).
    Code {
        member: String,
        /// Hours until the code expires.
        #[arg(long, default_value_t = 72)]
        hours: i64,
    },
    /// List and revoke devices.
    Device {
        #[command(subcommand)]
        action: DeviceAction,
    },
    /// Sync by USB drive: import a device's bundle (checked exactly as its
    /// network sync would be) and write the return bundle it imports.
    Bundle {
        #[command(subcommand)]
        action: BundleAction,
    },
    /// Write a consistent copy of the office's SQLite database to a new
    /// file, while the office serves (a restore is that file put back as
    /// `office.sqlite3` in the data directory of a stopped office). On
    /// PostgreSQL use pg_dump, then `rounds-office restored` after a restore
    /// (docs/office.md).
    Backup {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Copy the SQLite office of the data directory into an empty
    /// PostgreSQL database, checked table by table (row counts and
    /// hashes); the SQLite files are left as they were. Stop the office
    /// first, then start it with the new database URL.
    Migrate {
        /// The PostgreSQL database (postgres://USER:PASSWORD@HOST/DATABASE).
        #[arg(long, value_name = "URL")]
        to: String,
        #[arg(long)]
        json: bool,
    },
    /// After the database was restored from a backup: give it a new epoch,
    /// so that every device sends and reads everything again and nothing
    /// acknowledged after the backup is lost.
    Restored,
    /// Documents, changes, devices and their last sync.
    Status {
        #[arg(long)]
        office: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum TlsAction {
    /// Make an office certificate authority and a server certificate for
    /// an intranet without one (run it again to renew the server
    /// certificate from the same authority; joined devices keep trusting it).
    Init {
        /// A host name or IP address devices use to reach the office;
        /// repeat for each (every one goes into the certificate).
        #[arg(long = "name", value_name = "HOST", required = true)]
        names: Vec<String>,
        /// Where to write the files (default: `tls` in the data directory).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Days the server certificate is valid.
        #[arg(long, default_value_t = 825)]
        days: i64,
    },
    /// Print the fingerprint devices pin for the configured certificate.
    Fingerprint,
}

#[derive(Subcommand)]
enum OfficeAction {
    Create {
        name: String,
    },
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum MemberAction {
    Add {
        name: String,
        /// office_admin, lead_teacher or teacher.
        #[arg(long, default_value = "teacher")]
        role: String,
        /// The hospital or site the member works at (at most 100 characters).
        #[arg(long)]
        site: Option<String>,
        #[arg(long)]
        office: Option<String>,
    },
    List {
        #[arg(long)]
        office: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Change a member's role (office_admin, lead_teacher or teacher); it
    /// counts from the member's next sync.
    Role { member: String, role: String },
    /// Set the hospital or site a member works at (at most 100
    /// characters; "" clears it); devices see it from their next sync.
    Site { member: String, site: String },
    /// Remove a member; their devices are revoked.
    Remove { member: String },
}

#[derive(Subcommand)]
enum RubricAction {
    /// Add a rubric from a JSON file (`-` for standard input): {"name",
    /// "en", "zh", "min", "max", "criteria": [{"key", "en", "zh"}]}; a
    /// rubric of the same name is replaced. Devices receive it with the
    /// member directory at their next sync.
    Add {
        file: PathBuf,
        #[arg(long)]
        office: Option<String>,
    },
    /// The office's rubrics.
    List {
        #[arg(long)]
        office: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum DeviceAction {
    List {
        #[arg(long)]
        office: Option<String>,
        #[arg(long)]
        json: bool,
    },
    Revoke {
        device: String,
    },
}

#[derive(Subcommand)]
enum BundleAction {
    /// Import a bundle from a device (`rounds bundle export`).
    Import {
        file: PathBuf,
        /// Where to write the return bundle (default: beside FILE, named
        /// `<FILE's name>-return.rounds`).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

/// Settings from the optional file; flags and environment win over it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    data: Option<PathBuf>,
    /// PostgreSQL instead of SQLite (see `--database-url`).
    database_url: Option<String>,
    max_request_bytes: Option<usize>,
    page_bytes: Option<usize>,
    log_json: Option<bool>,
    /// Reverse proxies whose `X-Forwarded-For` header is believed.
    trusted_proxies: Option<Vec<std::net::IpAddr>>,
    /// How many devices of one office may wait on the wake-up channel at once.
    max_waiting: Option<u32>,
    /// The certificate chain and key the office serves HTTPS with.
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    /// The directory offered at /downloads/.
    downloads: Option<PathBuf>,
}

impl FileConfig {
    /// The TLS files of flags or, failing them, of the file; both or none.
    fn tls(
        &self,
        cert: Option<PathBuf>,
        key: Option<PathBuf>,
    ) -> Result<Option<rounds_office::tls::TlsFiles>, Failure> {
        let (cert, key) = match (cert, key) {
            (Some(c), Some(k)) => (Some(c), Some(k)),
            _ => (self.tls_cert.clone(), self.tls_key.clone()),
        };
        match (cert, key) {
            (Some(cert), Some(key)) => Ok(Some(rounds_office::tls::TlsFiles { cert, key })),
            (None, None) => Ok(None),
            _ => Err(Failure(
                "tls_cert and tls_key: set both (the certificate chain and its key) or neither"
                    .into(),
            )),
        }
    }
}

struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(m)) => {
            eprintln!("rounds-office: {m}");
            ExitCode::FAILURE
        }
    }
}

fn load_config(path: Option<&Path>) -> Result<FileConfig, Failure> {
    let Some(p) = path else {
        return Ok(FileConfig::default());
    };
    let text = std::fs::read_to_string(p).map_err(|e| Failure(format!("{}: {e}", p.display())))?;
    toml::from_str(&text).map_err(|e| Failure(format!("{}: {e}", p.display())))
}

/// The office named by id or name, or the only one.
fn pick_office(db: &dyn OfficeDb, office: Option<&str>) -> Result<String, Failure> {
    let offices = db.offices()?;
    match office {
        Some(o) => offices
            .iter()
            .find(|x| x.id == o || x.name == o)
            .map(|x| x.id.clone())
            .ok_or_else(|| Failure(format!("no office `{o}`"))),
        None => match offices.as_slice() {
            [one] => Ok(one.id.clone()),
            [] => Err(Failure(
                "no office yet: run `rounds-office office create NAME`".into(),
            )),
            _ => Err(Failure(
                "there are several offices: name one with --office".into(),
            )),
        },
    }
}

fn fmt_time(ms: Option<i64>) -> String {
    ms.map_or_else(|| "never".into(), rounds_core::time::rfc3339)
}

fn run(cli: Cli) -> Result<(), Failure> {
    let file = load_config(cli.config.as_deref())?;
    let data = cli
        .data
        .or(file.data.clone())
        .unwrap_or_else(|| PathBuf::from("office-data"));
    let url = cli.database_url.or(file.database_url.clone());
    let open_backend = || Backend::open(url.as_deref(), &data).map_err(Failure);
    let open_db = || open_backend().map(|b| b.db());
    match cli.command {
        Command::Serve {
            listen,
            log_json,
            tls_cert,
            tls_key,
            downloads,
        } => {
            let json = log_json || file.log_json.unwrap_or(false);
            let filter = tracing_subscriber::EnvFilter::try_from_env("ROUNDS_LOG")
                .unwrap_or_else(|_| "info".into());
            // Logs go to stderr (stdout carries the address line), and
            // carry colour only when stderr is a terminal.
            use std::io::IsTerminal;
            let ansi = std::io::stderr().is_terminal();
            if json {
                tracing_subscriber::fmt()
                    .json()
                    .with_writer(std::io::stderr)
                    .with_env_filter(filter)
                    .init();
            } else {
                tracing_subscriber::fmt()
                    .with_writer(std::io::stderr)
                    .with_ansi(ansi)
                    .with_env_filter(filter)
                    .init();
            }
            let listen = listen
                .or(file.listen)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 7878)));
            // The certificate is checked before the database is touched:
            // an office that cannot serve it does not start at all.
            let tls = match file.tls(tls_cert, tls_key)? {
                Some(files) => {
                    let fp = rounds_office::tls::pin_fingerprint(&files.cert)?;
                    let acceptor = rounds_office::tls::acceptor(files.clone())?;
                    tracing::info!(cert = %files.cert.display(), fingerprint = %fp, "serving HTTPS");
                    Some(acceptor)
                }
                None => None,
            };
            let backend = open_backend()?;
            let place = backend.describe(&data, url.as_deref());
            let db = backend.db();
            let mut limits = Limits::default();
            if let Some(n) = file.max_request_bytes {
                limits.max_request_bytes = n;
            }
            if let Some(n) = file.page_bytes {
                limits.page_bytes = n;
            }
            let mut service = Service::new(db, limits);
            service.trusted_proxies = file.trusted_proxies.clone().unwrap_or_default();
            service.downloads = match downloads.or(file.downloads.clone()) {
                Some(d) if d.is_dir() => Some(d),
                Some(d) => {
                    return Err(Failure(format!(
                        "downloads: {} is not a directory",
                        d.display()
                    )));
                }
                None => rounds_office::downloads::default_dir(&data),
            };
            if let Some(d) = &service.downloads {
                tracing::info!(dir = %d.display(), "offering downloads at /downloads/");
            }
            if let Some(n) = file.max_waiting {
                service.wake.configure(rounds_office::wake::WakeLimits {
                    per_office: n,
                    ..service.wake.limits()
                });
            }
            let service = Arc::new(service);
            let scheme = if tls.is_some() { "https" } else { "http" };
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(listen).await?;
                let addr = listener.local_addr()?;
                // Printed on stdout so that scripts and tests can find the port.
                println!("listening on {scheme}://{addr}");
                tracing::info!(%addr, data = %place, "rounds-office serving");
                // A service manager stops the office with SIGTERM, a
                // terminal with SIGINT: both shut it down gracefully.
                #[cfg(unix)]
                let mut term =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
                let shutdown = async move {
                    #[cfg(unix)]
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        _ = term.recv() => {}
                    }
                    #[cfg(not(unix))]
                    let _ = tokio::signal::ctrl_c().await;
                    tracing::info!("shutting down");
                };
                rounds_office::http::serve_with(service, listener, tls, shutdown).await
            })?;
        }
        Command::Tls { action } => match action {
            TlsAction::Init { names, dir, days } => {
                let dir = dir.unwrap_or_else(|| data.join("tls"));
                let made = rounds_office::tls_init::init(
                    &dir,
                    &names,
                    days,
                    time::OffsetDateTime::now_utc(),
                )?;
                let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
                if made.new_ca {
                    println!(
                        "made a certificate authority: {} (its key {} is needed only to renew; keep it private, or offline)",
                        abs(&made.ca_cert).display(),
                        abs(&made.ca_key).display()
                    );
                } else {
                    println!(
                        "renewed from the certificate authority {}",
                        abs(&made.ca_cert).display()
                    );
                }
                println!(
                    "server certificate for {}, valid until {}: {}",
                    made.names.join(", "),
                    made.not_after,
                    abs(&made.files.cert).display()
                );
                println!("fingerprint: {}", made.fingerprint);
                println!();
                println!(
                    "Put into the office's configuration file (or pass --tls-cert and --tls-key):"
                );
                println!(
                    "tls_cert = {:?}",
                    abs(&made.files.cert).display().to_string()
                );
                println!("tls_key = {:?}", abs(&made.files.key).display().to_string());
                println!();
                println!(
                    "A running office picks up a renewed certificate by itself. Devices join with `rounds join --fingerprint {} https://{}:PORT CODE`.",
                    made.fingerprint, made.names[0]
                );
            }
            TlsAction::Fingerprint => {
                let files = file.tls(None, None)?.ok_or_else(|| {
                    Failure(
                        "no TLS in the configuration: set tls_cert and tls_key (see `rounds-office tls init`)"
                            .into(),
                    )
                })?;
                println!("{}", rounds_office::tls::pin_fingerprint(&files.cert)?);
            }
        },
        Command::Office { action } => {
            let db = open_db()?;
            match action {
                OfficeAction::Create { name } => {
                    let name = name.trim();
                    if name.is_empty() || name.chars().count() > 100 {
                        return Err(Failure("office name: must be 1 to 100 characters".into()));
                    }
                    let o = db.create_office(&new_id(), name, rounds_sqlite::now_ms())?;
                    println!("{}", o.id);
                }
                OfficeAction::List { json } => {
                    let offices = db.offices()?;
                    if json {
                        println!("{}", serde_json::to_string_pretty(&offices)?);
                    } else {
                        for o in offices {
                            println!("{}  {}", o.id, o.name);
                        }
                    }
                }
            }
        }
        Command::Rubric { action } => {
            let db = open_db()?;
            match action {
                RubricAction::Add { file, office } => {
                    let office = pick_office(&*db, office.as_deref())?;
                    let text = if file == Path::new("-") {
                        let mut s = String::new();
                        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
                        s
                    } else {
                        std::fs::read_to_string(&file)
                            .map_err(|e| Failure(format!("{}: {e}", file.display())))?
                    };
                    let (r, body) = rounds_office::service::parse_rubric(&text)
                        .map_err(|e| Failure(format!("rubric: {e}")))?;
                    db.put_rubric(&office, &r.name, &body, rounds_sqlite::now_ms())?;
                    println!("{}", r.name);
                }
                RubricAction::List { office, json } => {
                    let office = pick_office(&*db, office.as_deref())?;
                    let rubrics: Vec<serde_json::Value> = db
                        .rubrics(&office)?
                        .into_iter()
                        .filter_map(|(_, body)| serde_json::from_str(&body).ok())
                        .collect();
                    if json {
                        println!("{}", serde_json::to_string_pretty(&rubrics)?);
                    } else {
                        for r in rubrics {
                            let criteria = r["criteria"].as_array().map_or(0, Vec::len);
                            println!(
                                "{}  {} / {}  {}–{}, {criteria} criteria",
                                r["name"].as_str().unwrap_or_default(),
                                r["zh"].as_str().unwrap_or_default(),
                                r["en"].as_str().unwrap_or_default(),
                                r["min"],
                                r["max"]
                            );
                        }
                    }
                }
            }
        }
        Command::Member { action } => {
            let db = open_db()?;
            match action {
                MemberAction::Add {
                    name,
                    role,
                    site,
                    office,
                } => {
                    let office = pick_office(&*db, office.as_deref())?;
                    let role = Role::parse(&role).ok_or_else(|| {
                        Failure("role: must be office_admin, lead_teacher or teacher".into())
                    })?;
                    let name = name.trim();
                    if name.is_empty() || name.chars().count() > 100 {
                        return Err(Failure("member name: must be 1 to 100 characters".into()));
                    }
                    // Checked before the member is added, so a bad site
                    // adds no one.
                    let site = check_site(site.as_deref().unwrap_or(""))?;
                    let m =
                        db.add_member(&new_id(), &office, name, role, rounds_sqlite::now_ms())?;
                    if !site.is_empty() {
                        db.set_site(&m.id, site)?;
                    }
                    println!("{}", m.id);
                }
                MemberAction::List { office, json } => {
                    let office = pick_office(&*db, office.as_deref())?;
                    let members = db.members(&office)?;
                    if json {
                        println!("{}", serde_json::to_string_pretty(&members)?);
                    } else {
                        for m in members {
                            let site = if m.site.is_empty() {
                                String::new()
                            } else {
                                format!("  @ {}", m.site)
                            };
                            let removed = if m.removed.is_some() {
                                "  (removed)"
                            } else {
                                ""
                            };
                            println!(
                                "{}  {:<12}  {}{site}{removed}",
                                m.id,
                                m.role.as_str(),
                                m.name
                            );
                        }
                    }
                }
                MemberAction::Role { member, role } => {
                    let role = Role::parse(&role).ok_or_else(|| {
                        Failure("role: must be office_admin, lead_teacher or teacher".into())
                    })?;
                    db.set_role(&member, role)?;
                }
                MemberAction::Site { member, site } => {
                    db.set_site(&member, check_site(&site)?)?;
                }
                MemberAction::Remove { member } => {
                    db.remove_member(&member, rounds_sqlite::now_ms())?;
                }
            }
        }
        Command::Code { member, hours } => {
            if !(1..=24 * 90).contains(&hours) {
                return Err(Failure("hours: must be from 1 to 2160".into()));
            }
            // Read before the code is issued: a broken TLS setting should
            // not spend a code.
            let fingerprint = match file.tls(None, None)? {
                Some(files) => Some(rounds_office::tls::pin_fingerprint(&files.cert)?),
                None => None,
            };
            let db = open_db()?;
            let svc = Service::new(db, Limits::default());
            let code = svc.issue_code(&member, hours)?;
            println!("{code}");
            if let Some(fp) = &fingerprint {
                println!("fingerprint: {fp}");
            }
            eprintln!(
                "This code is shown once; it expires in {hours} hours and works for one device."
            );
            if let Some(fp) = &fingerprint {
                eprintln!(
                    "Give the member both lines: they join with `rounds join --fingerprint {fp} URL CODE`."
                );
            }
        }
        Command::Device { action } => {
            let db = open_db()?;
            match action {
                DeviceAction::List { office, json } => {
                    let office = pick_office(&*db, office.as_deref())?;
                    let devices = db.devices(&office)?;
                    if json {
                        println!("{}", serde_json::to_string_pretty(&devices)?);
                    } else {
                        for d in devices {
                            let state = if d.revoked.is_some() {
                                "revoked"
                            } else {
                                "active"
                            };
                            println!(
                                "{}  {:<8}  {}  last sync {}  {}",
                                d.id,
                                state,
                                d.member_name,
                                fmt_time(d.last_sync),
                                d.name
                            );
                        }
                    }
                }
                DeviceAction::Revoke { device } => {
                    db.revoke_device(&device, rounds_sqlite::now_ms())?
                }
            }
        }
        Command::Bundle {
            action: BundleAction::Import { file, out, json },
        } => {
            let svc = Service::new(open_db()?, Limits::default());
            let bytes =
                rounds_proto::bundle::file::read(&file, rounds_office::service::MAX_BUNDLE_BYTES)
                    .map_err(|e| Failure(format!("{}: {e}", file.display())))?;
            let r = svc
                .import_bundle(&bytes)
                .map_err(|e| Failure(format!("{}: {}", file.display(), e.message)))?;
            let out = out.unwrap_or_else(|| {
                let stem = file.file_stem().unwrap_or_default().to_string_lossy();
                file.with_file_name(format!("{stem}-return.rounds"))
            });
            let parts = rounds_proto::bundle::file::write(
                &out,
                &r.answer,
                rounds_proto::bundle::file::PART_BYTES,
            )
            .map_err(|e| Failure(format!("{}: {e}", out.display())))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "imported bundle {} from device {}: {} documents accepted, {} refused",
                    r.bundle,
                    r.device,
                    r.docs_accepted,
                    r.refused.len()
                );
                for (doc, code, message) in &r.refused {
                    println!("  refused {doc} ({code}): {message}");
                }
            }
            eprintln!(
                "return bundle for the device: {} ({} pages, {} bytes)",
                parts
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                r.pages,
                r.answer.len()
            );
        }
        Command::Backup { file, json } => {
            let Backend::Sqlite(db) = open_backend()? else {
                return Err(Failure(
                    "this office runs on PostgreSQL: back it up with pg_dump, and after restoring run `rounds-office restored` (docs/office.md, PostgreSQL)".into(),
                ));
            };
            let r = db.backup_to(&file)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "backed up to {}: {} offices, {} members, {} documents, {} changes (log position {}), {} bytes",
                    file.display(),
                    r.offices,
                    r.members,
                    r.documents,
                    r.changes,
                    r.last_position,
                    r.bytes
                );
            }
        }
        Command::Migrate { to, json } => {
            let r = rounds_office::backend::move_to_postgres(&data, &to).map_err(Failure)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                for t in &r.tables {
                    println!("{:<17} {:>9} rows  sha256 {}", t.table, t.rows, t.sha256);
                }
                println!(
                    "copied {} into {}; every table checked. Start the office with database_url = \"{}\" (the SQLite files in {} are unchanged).",
                    data.display(),
                    r.to,
                    r.to,
                    data.display()
                );
            }
        }
        Command::Restored => match open_backend()? {
            Backend::Postgres(db) => {
                let e = db.new_epoch()?;
                println!(
                    "new epoch {e}: devices send and read everything again at their next sync"
                );
            }
            Backend::Sqlite(_) => {
                return Err(Failure(
                    "an SQLite backup made by `rounds-office backup` has a new epoch already; nothing to do".into(),
                ));
            }
        },
        Command::Status { office, json } => {
            let db = open_db()?;
            let office = pick_office(&*db, office.as_deref())?;
            let s = db.status(&office)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                println!("office     {} ({})", s.office.name, s.office.id);
                println!("members    {}", s.members);
                println!("documents  {}", s.documents);
                println!("changes    {}", s.changes);
                println!("devices    {}", s.devices.len());
                for d in s.devices {
                    let state = if d.revoked.is_some() {
                        "revoked"
                    } else {
                        "active"
                    };
                    println!(
                        "  {}  {:<8} {}  last sync {}",
                        d.id,
                        state,
                        d.member_name,
                        fmt_time(d.last_sync)
                    );
                }
            }
        }
    }
    Ok(())
}
