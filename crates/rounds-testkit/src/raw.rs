//! A member's device that bypasses the client: it sends requests it made
//! itself, with its own valid token, as a modified or hostile client
//! would, to prove what the office refuses.

use automerge::{ActorId, AutoCommit, ChangeHash};
use rounds_proto::{CONTENT_TYPE, DocChanges, SyncRequest, SyncResponse, doc_id_from_str};

use crate::{Office, Teacher};

/// The largest answer a test decodes.
const MAX_ANSWER: usize = 1 << 26;

/// A joined device's token and actor, sending raw requests to its office.
pub struct RawDevice {
    pub http: reqwest::blocking::Client,
    pub url: String,
    pub token: String,
    pub actor: ActorId,
}

/// What one push got back: for a 200 the office's answer, else the HTTP
/// status and body.
pub enum Answer {
    Sync(SyncResponse),
    Refused(u16, String),
}

impl RawDevice {
    /// `t`'s device, which joined `office`.
    pub fn of(office: &Office, t: &Teacher) -> RawDevice {
        RawDevice {
            http: reqwest::blocking::Client::new(),
            url: office.url.clone(),
            token: t.token(),
            actor: t.store.actor().clone(),
        }
    }

    /// Sends a request and returns the status and body of the answer. The
    /// office reads an oversized body to its end before answering 413, so
    /// every refusal arrives as an answer: a transport error (a reset, a
    /// crash) is retried once, then fails the test.
    pub fn post(
        &self,
        path: &str,
        token: Option<&str>,
        ctype: &str,
        body: Vec<u8>,
    ) -> (u16, Vec<u8>) {
        for attempt in 0..2 {
            let mut r = self
                .http
                .post(format!("{}{path}", self.url))
                .header("content-type", ctype)
                .body(body.clone());
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            match r.send().and_then(|resp| {
                let status = resp.status().as_u16();
                resp.bytes().map(|b| (status, b.to_vec()))
            }) {
                Ok(answer) => return answer,
                Err(e) if attempt == 1 => panic!("{path}: {e}"),
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
            }
        }
        unreachable!()
    }

    /// Pushes `changes` of one document with this device's token.
    pub fn send(&self, doc: &str, changes: Vec<Vec<u8>>) -> Answer {
        let (status, body) = self.post(
            "/v1/sync",
            Some(&self.token),
            CONTENT_TYPE,
            push_request(doc, changes).encode(),
        );
        if status == 200 {
            Answer::Sync(SyncResponse::decode(&body, MAX_ANSWER).unwrap())
        } else {
            Answer::Refused(status, String::from_utf8_lossy(&body).into_owned())
        }
    }

    /// [`RawDevice::send`], for a push the office must answer with 200
    /// (whatever it accepts or rejects in it).
    pub fn push(&self, doc: &str, changes: Vec<Vec<u8>>) -> SyncResponse {
        match self.send(doc, changes) {
            Answer::Sync(resp) => resp,
            Answer::Refused(status, body) => panic!("push of {doc}: HTTP {status} {body}"),
        }
    }
}

/// A sync request that pushes `changes` of `doc` and asks for nothing.
pub fn push_request(doc: &str, changes: Vec<Vec<u8>>) -> SyncRequest {
    SyncRequest {
        cursor: vec![],
        max_page_bytes: 0,
        pushes: vec![DocChanges {
            doc: doc_id_from_str(doc).unwrap(),
            changes,
        }],
    }
}

/// The changes `am` made since `heads` (all of them for `&[]`), as they
/// are pushed.
pub fn changes_since(am: &mut AutoCommit, heads: &[ChangeHash]) -> Vec<Vec<u8>> {
    am.get_changes(heads)
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect()
}
