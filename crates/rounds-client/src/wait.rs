//! The device's side of the wake-up channel: one long poll at a time that
//! returns when the office has something new for this device.

use std::path::Path;
use std::time::Duration;

use rounds_proto::WaitResponse;
use rounds_store::Store;

use crate::{ClientError, Http, check_url, endpoint, http_client, joined_connection, office_error};

/// A reusable long-poll connection to the office this store joined, with
/// the same certificate checks (pin, CA) as its sync.
pub struct Waiter {
    http: Http,
    url: reqwest::Url,
    token: String,
}

/// What a wait found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woken {
    /// The office has something after the cursor: sync now.
    More,
    /// Nothing arrived during the wait.
    Quiet,
    /// The office has no wake-up channel (an older office): sync
    /// periodically instead.
    Unsupported,
}

impl Waiter {
    pub fn for_store(store: &Store, data: &Path) -> Result<Waiter, ClientError> {
        let conn = joined_connection(store)?;
        Ok(Waiter {
            http: http_client(&conn)?,
            url: endpoint(&check_url(&conn)?, &["v1", "wait"])?,
            token: super::read_token(data)?,
        })
    }

    /// Waits up to `wait` (the office caps it) for something after `cursor`.
    pub fn wait(&self, cursor: &[u8], wait: Duration) -> Result<Woken, ClientError> {
        let mut url = self.url.clone();
        url.query_pairs_mut()
            .append_pair("cursor", &hex::encode(cursor))
            .append_pair("wait", &wait.as_secs().to_string());
        let resp = self
            .http
            .client
            .get(url)
            .bearer_auth(&self.token)
            .send()
            .map_err(|e| self.http.send_error(e))?;
        let status = resp.status().as_u16();
        if status == 404 || status == 405 {
            return Ok(Woken::Unsupported);
        }
        if !resp.status().is_success() {
            return Err(office_error(resp));
        }
        let body: WaitResponse = resp
            .json()
            .map_err(|e| ClientError::Protocol(format!("wait answer: {e}")))?;
        Ok(if body.more { Woken::More } else { Woken::Quiet })
    }
}
