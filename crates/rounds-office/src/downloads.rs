//! `GET /downloads/`: files the office hands out to anyone who can reach
//! it, without an account. A township PC with no internet often can reach
//! the office (over the hospital network or a VPN), and what such a PC
//! lacks before it can run Rounds is exactly what cannot come through
//! sync: the Rounds installer itself and Microsoft's offline WebView2
//! Runtime installer, which the app's start-up message points to.
//!
//! The administrator puts files into the downloads directory (`--downloads
//! DIR`, or `downloads/` in the data directory when it exists); the page
//! lists them, in Chinese and English, and each is served by tower-http's
//! `ServeDir`, which refuses paths outside the directory and answers byte
//! ranges, so a download cut off over a poor link resumes where it
//! stopped. Names that begin with a dot (temporary or hidden files) are
//! neither listed nor served. Nothing here touches the database.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::service::{ApiError, Service};

fn none() -> ApiError {
    ApiError::new(404, "not_found", "this office has no such download")
}

/// `GET /downloads` and `/downloads/`: the list. `GET /downloads/NAME`:
/// the file.
pub async fn downloads(State(svc): State<Arc<Service>>, req: Request) -> Response {
    let Some(dir) = svc.downloads.clone() else {
        return none().into_response();
    };
    let path = req.uri().path().to_owned();
    let rest = path
        .strip_prefix("/downloads")
        .unwrap_or_default()
        .trim_start_matches('/');
    if rest.is_empty() {
        return match tokio::task::spawn_blocking(move || list(&dir)).await {
            Ok(Ok(files)) => Html(page(&files)).into_response(),
            Ok(Err(e)) => {
                tracing::error!(error = %e, dir = %svc.downloads.as_deref().unwrap_or(Path::new("")).display(), "cannot list the downloads");
                none().into_response()
            }
            Err(_) => none().into_response(),
        };
    }
    let Some(segments) = rest.split('/').map(decode).collect::<Option<Vec<_>>>() else {
        return none().into_response();
    };
    if segments
        .iter()
        .any(|seg| seg.is_empty() || seg.starts_with('.'))
    {
        return none().into_response();
    }
    let Ok(uri) = format!("/{rest}").parse::<Uri>() else {
        return none().into_response();
    };
    let name = segments.last().cloned().unwrap_or_default();
    let (mut parts, body) = req.into_parts();
    parts.uri = uri;
    let inner = Request::from_parts(parts, body);
    let served = ServeDir::new(&dir)
        .append_index_html_on_directories(false)
        .oneshot(inner)
        .await;
    match served {
        Ok(resp) if resp.status().is_success() => {
            let mut resp = resp.map(Body::new);
            // A download, under its own name (percent-encoded UTF-8, so a
            // Chinese file name arrives as it was).
            if let Ok(v) =
                HeaderValue::from_str(&format!("attachment; filename*=UTF-8''{}", encode(&name)))
            {
                resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
            }
            resp
        }
        Ok(resp) if resp.status().is_redirection() || resp.status().as_u16() == 416 => {
            resp.map(Body::new)
        }
        _ => none().into_response(),
    }
}

/// A file offered for download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offered {
    pub name: String,
    pub bytes: u64,
}

/// The regular files directly in `dir` whose names do not start with a
/// dot, by name.
pub fn list(dir: &Path) -> std::io::Result<Vec<Offered>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let Ok(name) = e.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        // `metadata` follows a link, so a file linked in is offered.
        let Ok(meta) = std::fs::metadata(e.path()) else {
            continue;
        };
        if meta.is_file() {
            out.push(Offered {
                name,
                bytes: meta.len(),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The default: `downloads/` in the data directory, if the administrator
/// made it.
pub fn default_dir(data: &Path) -> Option<PathBuf> {
    let d = data.join("downloads");
    d.is_dir().then_some(d)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Every byte but the unreserved ones percent-encoded (RFC 3986), for a
/// link and for `filename*`.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn size(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.0} KB", (bytes as f64 / 1e3).ceil())
    }
}

/// The list as a page, in Chinese and English (the office cannot know
/// which the visitor reads).
pub fn page(files: &[Offered]) -> String {
    let mut rows = String::new();
    for f in files {
        rows.push_str(&format!(
            "<li><a href=\"/downloads/{}\" download>{}</a> <span>{}</span></li>\n",
            encode(&f.name),
            escape(&f.name),
            size(f.bytes)
        ));
    }
    if files.is_empty() {
        rows.push_str("<li>暂无可下载的文件。 There is nothing to download yet.</li>\n");
    }
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width\">\
<title>Rounds 下载 · Downloads</title>\
<style>body{{font-family:system-ui,'Microsoft YaHei',sans-serif;max-width:44em;margin:2em auto;padding:0 1em;line-height:1.6}}\
li{{margin:.4em 0}}span{{color:#66737a;margin-left:.6em}}</style></head><body>\n\
<h1>Rounds 教学查房 · 下载 / Downloads</h1>\n\
<p>教研室提供的安装程序：Rounds 安装包，以及电脑缺少时所需的 Microsoft Edge WebView2 运行时离线安装包。<br>\
Installers from the teaching office: Rounds, and the Microsoft Edge WebView2 Runtime's offline installer for a PC that lacks it.</p>\n\
<ul>\n{rows}</ul>\n</body></html>\n"
    )
}

/// A path segment percent-decoded, if it is UTF-8.
fn decode(seg: &str) -> Option<String> {
    let b = seg.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}
