//! The office's HTTP interface.
//!
//! - `GET /healthz` — `ok` when the server and its database answer.
//! - `POST /v1/enroll` — JSON [`rounds_proto::EnrollRequest`] → [`rounds_proto::EnrollResponse`].
//! - `POST /v1/sync` — a binary [`rounds_proto::SyncRequest`] → [`rounds_proto::SyncResponse`],
//!   authenticated by `Authorization: Bearer <token>`.
//! - `GET /v1/wait?cursor=<hex>&wait=<seconds>` — the wake-up channel (see
//!   [`crate::wake`]): JSON [`rounds_proto::WaitResponse`], same authentication.
//! - `GET /v1/members` — the sender's office's current members and the
//!   sender's own member id: JSON [`rounds_proto::MembersResponse`], same
//!   authentication.
//!
//! - `GET /downloads/` — installers the administrator offers to anyone,
//!   and `GET /downloads/NAME` each of them (see [`crate::downloads`]).
//!
//! Every non-2xx response has a JSON body `{"code", "message"}`. Logs name
//! devices and documents by id, and never contain tokens, codes or
//! document text.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::metrics::Metrics;
use rounds_proto::{
    CONTENT_TYPE, EnrollRequest, ErrorBody, MAX_WAIT_SECS, MembersResponse, SyncRequest,
    WaitResponse,
};

use crate::service::{ApiError, Service};

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            Json(ErrorBody {
                code: self.code.to_owned(),
                message: self.message,
            }),
        )
            .into_response()
    }
}

/// Builds the router; `serve` adds the listener.
pub fn router(service: Arc<Service>) -> Router {
    let limit = service.limits.max_request_bytes;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/v1/enroll", post(enroll))
        .route("/v1/sync", post(sync))
        .route("/v1/wait", get(wait))
        .route("/v1/members", get(members))
        .route("/v1/bundle-key", post(bundle_key))
        .route("/metrics", get(metrics))
        .route("/downloads", get(crate::downloads::downloads))
        .route("/downloads/", get(crate::downloads::downloads))
        .route("/downloads/{*file}", get(crate::downloads::downloads))
        .fallback(|| async { ApiError::new(404, "not_found", "no such endpoint") })
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn_with_state(service.clone(), log_request))
        // Bodies are read by the handlers with their own limit; this layer
        // only stops axum's default 2 MB limit from cutting in first.
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .with_state(service)
}

async fn healthz(State(svc): State<Arc<Service>>) -> Result<&'static str, ApiError> {
    let db = svc.db.clone();
    tokio::task::spawn_blocking(move || db.head())
        .await
        .map_err(|_| internal())??;
    Ok("ok")
}

fn internal() -> ApiError {
    ApiError::new(
        500,
        "internal",
        "internal error; the office logged the details",
    )
}

/// How much of an oversized body the office reads and throws away before
/// answering 413. Answering and closing while the client is still sending
/// makes the client's system reset the connection, and the client then sees
/// "connection reset" instead of the refusal; reading on (within bounds)
/// lets the answer arrive.
pub const DRAIN_BYTES: usize = 64 << 20;
/// How long the office reads an oversized body before giving up on it.
pub const DRAIN_TIME: Duration = Duration::from_secs(10);

async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut buf: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(ApiError::new(
                400,
                "bad_body",
                "the request body could not be read",
            ));
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if buf.len() + data.len() > limit {
            drop(buf);
            let seen = limit.saturating_add(1);
            let _ = tokio::time::timeout(DRAIN_TIME, drain(&mut body, seen)).await;
            return Err(ApiError::new(
                413,
                "too_large",
                format!("the request body is over {limit} bytes"),
            ));
        }
        buf.extend_from_slice(&data);
    }
    Ok(Bytes::from(buf))
}

/// Reads and discards the rest of a body, up to [`DRAIN_BYTES`].
async fn drain(body: &mut Body, mut seen: usize) {
    use http_body_util::BodyExt;
    while let Some(Ok(frame)) = body.frame().await {
        if let Ok(data) = frame.into_data() {
            seen = seen.saturating_add(data.len());
            if seen > DRAIN_BYTES {
                return;
            }
        }
    }
}

/// Where a request came from, for rate limiting failed enrollments. A peer
/// that is one of `trusted` (the reverse proxies of the configuration) is
/// believed about the client it forwards for: `X-Forwarded-For` is read
/// from the right, each trusted proxy appending the address it received
/// from, and the rightmost address that is not a trusted proxy is the
/// client. Everything left of it was sent by the client itself and may be
/// made up. From any other peer the header is ignored.
pub fn client_addr(headers: &HeaderMap, peer: Option<SocketAddr>, trusted: &[IpAddr]) -> String {
    let Some(peer) = peer else {
        return "unknown".into();
    };
    if !trusted.contains(&peer.ip()) {
        return peer.ip().to_string();
    }
    let mut client = peer.ip();
    let entries = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect::<Vec<_>>();
    for entry in entries.iter().rev() {
        // An entry that is not an address cannot be trusted to name
        // anyone; the last good hop stands.
        let Ok(ip) = entry.trim().parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !trusted.contains(&ip) {
            break;
        }
    }
    client.to_string()
}

async fn enroll(State(svc): State<Arc<Service>>, req: Request) -> Result<Response, ApiError> {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let (parts, body) = req.into_parts();
    let headers = parts.headers;
    if !is_content_type(&headers, "application/json") {
        return Err(ApiError::new(
            415,
            "unsupported_media_type",
            "send application/json",
        ));
    }
    let bytes = read_body(body, 64 << 10).await?;
    let req: EnrollRequest = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::new(
            400,
            "bad_json",
            format!("malformed enrollment request: {e}"),
        )
    })?;
    let client = client_addr(&headers, peer, &svc.trusted_proxies);
    let resp = tokio::task::spawn_blocking(move || svc.enroll(&req, &client))
        .await
        .map_err(|_| internal())??;
    Ok(Json(resp).into_response())
}

async fn authenticated(
    svc: &Arc<Service>,
    headers: &HeaderMap,
) -> Result<crate::db::DeviceCtx, ApiError> {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let svc = svc.clone();
    tokio::task::spawn_blocking(move || svc.authenticate(auth.as_deref()))
        .await
        .map_err(|_| internal())?
}

async fn sync(
    State(svc): State<Arc<Service>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let ctx = authenticated(&svc, &headers).await?;
    if !is_content_type(&headers, CONTENT_TYPE) {
        return Err(ApiError::new(
            415,
            "unsupported_media_type",
            format!("send {CONTENT_TYPE}"),
        ));
    }
    let limit = svc.limits.max_request_bytes;
    let bytes = read_body(body, limit).await?;
    let req = SyncRequest::decode(&bytes, limit)
        .map_err(|e| ApiError::new(400, "bad_request", format!("malformed sync request: {e}")))?;
    let device = ctx.device.clone();
    let svc2 = svc.clone();
    let resp = tokio::task::spawn_blocking(move || svc2.sync(&ctx, req))
        .await
        .map_err(|_| internal())??;
    let body = resp.encode();
    let m = &svc.metrics;
    Metrics::add(&m.syncs, 1);
    Metrics::add(&m.docs_accepted, resp.acks.len() as u64);
    Metrics::add(&m.bytes_sent, body.len() as u64);
    for item in &resp.items {
        match item {
            rounds_proto::Item::Changes(c) => Metrics::add(&m.changes_sent, c.changes.len() as u64),
            rounds_proto::Item::Snapshot { .. } => Metrics::add(&m.snapshots_sent, 1),
        }
    }
    tracing::info!(device = %device, acks = resp.acks.len(), rejections = resp.rejections.len(), items = resp.items.len(), bytes = body.len(), more = resp.more, "sync");
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))],
        body,
    )
        .into_response())
}

#[derive(serde::Deserialize)]
struct WaitQuery {
    #[serde(default)]
    cursor: String,
    wait: Option<u64>,
}

/// Answers when something after the cursor is there for the device, or
/// after the wait with `more: false`. See [`crate::wake`].
async fn wait(
    State(svc): State<Arc<Service>>,
    headers: HeaderMap,
    query: Result<axum::extract::Query<WaitQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<WaitResponse>, ApiError> {
    let ctx = authenticated(&svc, &headers).await?;
    let axum::extract::Query(q) = query
        .map_err(|e| ApiError::new(400, "bad_request", format!("malformed wait request: {e}")))?;
    let cursor = hex::decode(&q.cursor)
        .map_err(|_| ApiError::new(400, "bad_request", "the cursor must be hex"))?;
    let wait = Duration::from_secs(q.wait.unwrap_or(25).min(MAX_WAIT_SECS));
    let _slot = svc.wake.enter(&ctx)?;
    let deadline = tokio::time::Instant::now() + wait;
    let mut woken = svc.wake.subscribe();
    let ctx = Arc::new(ctx);
    let cursor = Arc::new(cursor);
    loop {
        // Marked seen before checking: a push that lands during the check
        // wakes the next round instead of being missed.
        woken.borrow_and_update();
        if svc.wake.is_closing() {
            return Ok(Json(WaitResponse { more: false }));
        }
        let (s, c, k) = (svc.clone(), ctx.clone(), cursor.clone());
        let more = tokio::task::spawn_blocking(move || s.has_more(&c, &k))
            .await
            .map_err(|_| internal())??;
        if more {
            return Ok(Json(WaitResponse { more: true }));
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Ok(Json(WaitResponse { more: false }));
        }
        let poll = deadline.min(now + svc.wake.limits().poll);
        tokio::select! {
            changed = woken.changed() => {
                if changed.is_err() {
                    return Ok(Json(WaitResponse { more: false }));
                }
            }
            () = tokio::time::sleep_until(poll) => {}
        }
    }
}

/// The member directory of the sender's office (see
/// [`Service::members`]).
async fn members(
    State(svc): State<Arc<Service>>,
    headers: HeaderMap,
) -> Result<Json<MembersResponse>, ApiError> {
    let ctx = authenticated(&svc, &headers).await?;
    let resp = tokio::task::spawn_blocking(move || svc.members(&ctx))
        .await
        .map_err(|_| internal())??;
    Ok(Json(resp))
}

/// `POST /v1/bundle-key`: the device registers the key it signs USB
/// bundles with; the answer is the office's.
async fn bundle_key(
    State(svc): State<Arc<Service>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<rounds_proto::BundleKeyResponse>, ApiError> {
    let ctx = authenticated(&svc, &headers).await?;
    if !is_content_type(&headers, "application/json") {
        return Err(ApiError::new(
            415,
            "unsupported_media_type",
            "send application/json",
        ));
    }
    let bytes = read_body(body, 4 << 10).await?;
    let req: rounds_proto::BundleKeyRequest = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::new(400, "bad_json", format!("malformed key request: {e}")))?;
    let resp = tokio::task::spawn_blocking(move || svc.register_bundle_key(&ctx, &req))
        .await
        .map_err(|_| internal())??;
    Ok(Json(resp))
}

fn is_content_type(headers: &HeaderMap, want: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(want))
}

/// Gives every error a JSON body, also those made by axum itself (405, 408, …).
async fn json_errors(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    // A redirect or "not modified" (a download checked again) has no body
    // to replace.
    if status.is_success() || status.is_redirection() || is_json {
        return resp;
    }
    let code = status
        .canonical_reason()
        .unwrap_or("error")
        .to_lowercase()
        .replace(' ', "_");
    let message = match status.as_u16() {
        405 => "this endpoint does not take that method".to_owned(),
        408 => "the request took too long".to_owned(),
        _ => status.canonical_reason().unwrap_or("error").to_owned(),
    };
    (status, Json(ErrorBody { code, message })).into_response()
}

/// One line per request: method, path, status and time. No headers, no bodies.
async fn log_request(State(svc): State<Arc<Service>>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let start = Instant::now();
    let resp = next.run(req).await;
    let elapsed = start.elapsed();
    svc.metrics.request(
        crate::metrics::route_of(&path),
        resp.status().as_u16(),
        elapsed.as_secs_f64(),
    );
    tracing::info!(%method, %path, status = resp.status().as_u16(), ms = elapsed.as_millis() as u64, "request");
    resp
}

/// `GET /metrics`, in the Prometheus text format, to this machine only: a
/// request from another address, or one a reverse proxy forwarded (with
/// `X-Forwarded-For`), is refused, so an office behind a proxy does not
/// publish its counters. Scrape it on the office's machine (or through a
/// tunnel to it).
async fn metrics(State(svc): State<Arc<Service>>, req: Request) -> Result<Response, ApiError> {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let local = peer.is_some_and(|p| p.ip().is_loopback());
    if !local || req.headers().contains_key("x-forwarded-for") {
        return Err(ApiError::new(
            403,
            "forbidden",
            "the office's metrics are served to its own machine only",
        ));
    }
    let db = svc.db.clone();
    let log_head = tokio::task::spawn_blocking(move || db.head())
        .await
        .map_err(|_| internal())??;
    let page = svc.metrics.render(crate::metrics::Gauges {
        waiting: svc.wake.open_waits(),
        log_head,
        backend: svc.db.backend(),
        pool: svc.db.pool(),
    });
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        page,
    )
        .into_response())
}

/// How long a client may take to send a request's headers. A client that
/// dribbles bytes (one a second, say) is disconnected instead of holding a
/// connection open; bodies are bounded by the 60-second request timeout.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Documents one round of snapshot compaction takes.
pub const COMPACT_BATCH: usize = 100;

/// How long the compactor waits after a round that folded `n` documents.
/// A full round means a backlog (a large upload, a migrated office): the
/// next follows soon, so that new devices get compact snapshots within a
/// minute or so of a 10,000-document upload rather than after eight
/// (loading a snapshot with changes after it costs a new device about
/// twice a compact one). The pause keeps a backlog from taking a whole
/// core from requests.
pub fn compaction_pause(n: usize) -> Duration {
    if n >= COMPACT_BATCH {
        Duration::from_millis(250)
    } else {
        Duration::from_secs(5)
    }
}

/// Serves plain HTTP until the future `shutdown` completes, keeping
/// snapshots fresh in the background.
pub async fn serve(
    service: Arc<Service>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(service, listener, None, shutdown).await
}

/// [`serve`], speaking TLS through `tls` when it is given (see
/// [`crate::tls`]). Each handshake runs in its connection's task, bounded
/// by [`HEADER_READ_TIMEOUT`], so a client that stalls in it holds up no
/// one else.
pub async fn serve_with(
    service: Arc<Service>,
    listener: tokio::net::TcpListener,
    tls: Option<crate::tls::Acceptor>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::server::graceful::GracefulShutdown;
    use tower::Service as _;

    let waits = service.wake.clone();
    let compactor = service.clone();
    let task = tokio::spawn(async move {
        loop {
            let svc = compactor.clone();
            let n = match tokio::task::spawn_blocking(move || svc.compact_snapshots(COMPACT_BATCH))
                .await
            {
                Ok(Ok(n)) => {
                    if n > 0 {
                        tracing::debug!(documents = n, "snapshots compacted");
                    }
                    n
                }
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "snapshot compaction failed");
                    0
                }
                Err(_) => 0,
            };
            tokio::time::sleep(compaction_pause(n)).await;
        }
    });
    let mut make = router(service).into_make_service_with_connect_info::<SocketAddr>();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: back off, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(app) = make.call(peer).await;
        let hyper_service =
            hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let mut app = app.clone();
                async move { app.call(req.map(Body::new)).await }
            });
        let builder = builder.clone();
        let watcher = graceful.watcher();
        let tls = tls.clone();
        tokio::spawn(async move {
            // Connection errors (resets, timeouts, failed handshakes) are
            // the client's business.
            match tls {
                None => serve_connection(&builder, watcher, stream, hyper_service).await,
                Some(tls) => {
                    match tokio::time::timeout(HEADER_READ_TIMEOUT, tls.accept(stream)).await {
                        Ok(Ok(stream)) => {
                            serve_connection(&builder, watcher, stream, hyper_service).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                }
            }
        });
    }
    task.abort();
    // Long polls answer at once instead of holding the shutdown up.
    waits.close();
    // Let requests in flight finish, but not forever.
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
    Ok(())
}

/// Serves one connection, plain or TLS, until it closes or the office
/// shuts down.
async fn serve_connection<I, S>(
    builder: &hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
    watcher: hyper_util::server::graceful::Watcher,
    io: I,
    service: S,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    S: hyper::service::Service<
            hyper::Request<hyper::body::Incoming>,
            Response = Response,
            Error = std::convert::Infallible,
        > + Send
        + 'static,
    S::Future: Send + 'static,
{
    let conn = builder
        .serve_connection_with_upgrades(hyper_util::rt::TokioIo::new(io), service)
        .into_owned();
    let _ = watcher.watch(conn).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_compaction_round_is_followed_soon_and_a_partial_one_later() {
        assert_eq!(compaction_pause(COMPACT_BATCH), Duration::from_millis(250));
        for n in [0, 1, COMPACT_BATCH - 1] {
            assert_eq!(compaction_pause(n), Duration::from_secs(5), "{n}");
        }
        // A backlog of 10,000 documents is folded in 100 rounds: their
        // pauses add up to 25 s, not 8 minutes.
        let rounds = 10_000 / COMPACT_BATCH;
        let waited: Duration = (0..rounds).map(|_| compaction_pause(COMPACT_BATCH)).sum();
        assert!(waited < Duration::from_secs(30), "{waited:?}");
    }

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies_and_read_from_the_right() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let peer = Some(SocketAddr::new(proxy, 4000));
        let outsider = Some(SocketAddr::from(([192, 0, 2, 9], 4000)));
        // From an untrusted peer the header is ignored.
        assert_eq!(
            client_addr(&headers("1.1.1.1"), outsider, &[proxy]),
            "192.0.2.9"
        );
        assert_eq!(client_addr(&headers("1.1.1.1"), peer, &[]), "10.0.0.2");
        // The rightmost untrusted entry; what the client made up is left of it.
        assert_eq!(
            client_addr(&headers("6.6.6.6, 203.0.113.5"), peer, &[proxy]),
            "203.0.113.5"
        );
        let inner: IpAddr = "10.0.0.3".parse().unwrap();
        assert_eq!(
            client_addr(
                &headers("6.6.6.6, 203.0.113.5, 10.0.0.3"),
                peer,
                &[proxy, inner]
            ),
            "203.0.113.5"
        );
        // Garbage stops the walk at the last good hop.
        assert_eq!(
            client_addr(&headers("nonsense"), peer, &[proxy]),
            "10.0.0.2"
        );
    }
}
