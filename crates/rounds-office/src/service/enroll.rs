//! Enrollment and authentication: one-time codes, joining with one (rate
//! limited per client address), and the device tokens that authenticate
//! every later request. Codes and tokens are stored only as hashes.

use rounds_proto::{EnrollRequest, EnrollResponse};
use sha2::{Digest, Sha256};

use super::{ApiError, Service, random_bytes};
use crate::db::*;

/// How many client addresses the failed-enrollment table remembers.
pub const MAX_TRACKED_CLIENTS: usize = 10_000;

/// SHA-256, the only form in which tokens and codes are stored.
pub fn hash_secret(s: &str) -> Vec<u8> {
    Sha256::digest(s.as_bytes()).to_vec()
}

const CODE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A one-time enrollment code: 10 characters of Crockford base32 (50
/// random bits), grouped for reading aloud over the phone.
pub fn new_code() -> String {
    code_from(random_bytes())
}

fn code_from(b: [u8; 8]) -> String {
    let mut v = u64::from_le_bytes(b);
    let mut s = String::new();
    for i in 0..10 {
        if i == 5 {
            s.push('-');
        }
        s.push(CODE_ALPHABET[(v & 31) as usize] as char);
        v >>= 5;
    }
    s
}

/// Reads a code the way people type it: any case, with or without the dash,
/// with O for 0 and I or L for 1.
pub fn normalize_code(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// A new device token: 256 random bits.
pub fn new_token() -> String {
    token_from(random_bytes())
}

fn token_from(b: [u8; 32]) -> String {
    format!("rt_{}", hex::encode(b))
}

impl Service {
    // ---- administration -------------------------------------------------------

    /// Issues a one-time code for a member, valid for `hours`. The code is
    /// returned once and stored only as a hash.
    pub fn issue_code(&self, member: &str, hours: i64) -> Result<String, DbError> {
        let code = code_from(self.random());
        let now = self.now();
        self.db.create_code(
            member,
            &hash_secret(&normalize_code(&code)),
            now + hours * 3_600_000,
            now,
        )?;
        Ok(code)
    }

    // ---- enrollment and authentication ------------------------------------------

    fn too_many_failures(&self, client: &str) -> bool {
        let now = self.now();
        let map = self
            .failed_enrolls
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        map.get(client).is_some_and(|(start, n)| {
            now - start < self.limits.enroll_window_ms && *n >= self.limits.enroll_attempts
        })
    }

    fn note_failure(&self, client: &str) {
        let now = self.now();
        let mut map = self
            .failed_enrolls
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        // Forget old windows, and the oldest beyond a cap, so the map
        // cannot grow without bound however many addresses guess.
        map.retain(|_, (start, _)| now - *start < self.limits.enroll_window_ms);
        if map.len() >= MAX_TRACKED_CLIENTS
            && !map.contains_key(client)
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, (start, _))| *start)
                .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        let e = map.entry(client.to_owned()).or_insert((now, 0));
        e.1 += 1;
    }

    /// A device joins with a code. `client` names where the request came
    /// from, for rate limiting failed attempts.
    pub fn enroll(&self, req: &EnrollRequest, client: &str) -> Result<EnrollResponse, ApiError> {
        if self.too_many_failures(client) {
            return Err(ApiError::new(
                429,
                "too_many_attempts",
                "too many failed enrollment attempts; wait ten minutes",
            ));
        }
        let actor = hex::decode(&req.actor)
            .ok()
            .filter(|a| (1..=64).contains(&a.len()))
            .ok_or_else(|| {
                ApiError::new(400, "invalid_actor", "actor must be 1 to 64 bytes in hex")
            })?;
        let name = req.device_name.trim();
        if name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(ApiError::new(
                400,
                "invalid_device_name",
                "device name must be at most 100 printable characters",
            ));
        }
        let code = normalize_code(&req.code);
        let token = token_from(self.random());
        let device_id = self.fresh_id();
        let now = self.now();
        let token_hash = hash_secret(&token);
        let result = self.db.enroll(
            &hash_secret(&code),
            NewDevice {
                id: &device_id,
                name,
                token_hash: &token_hash,
                actor: &actor,
            },
            now,
            &mut |view| super::access::enrollment(view, now),
        )?;
        match result {
            Ok((office, member)) => {
                tracing::info!(device = %device_id, member = %member.id, office = %office.id, "device enrolled");
                Ok(EnrollResponse {
                    token,
                    device_id,
                    office_id: office.id,
                    office_name: office.name,
                    member_id: member.id,
                    member_name: member.name,
                    role: member.role.as_str().to_owned(),
                })
            }
            Err(failure) => {
                self.note_failure(client);
                tracing::warn!(?failure, client = %client, "enrollment refused");
                Err(match failure {
                    EnrollFailure::Unknown => {
                        ApiError::new(403, "invalid_code", "this enrollment code is not valid")
                    }
                    EnrollFailure::Used => ApiError::new(
                        403,
                        "code_used",
                        "this enrollment code has already been used",
                    ),
                    EnrollFailure::Expired => ApiError::new(
                        403,
                        "code_expired",
                        "this enrollment code has expired; ask for a new one",
                    ),
                    EnrollFailure::ActorTaken => ApiError::new(
                        409,
                        "actor_taken",
                        "this device's identity is already enrolled; reset the device's sync first",
                    ),
                })
            }
        }
    }

    /// The device behind an `Authorization` header value.
    pub fn authenticate(&self, header: Option<&str>) -> Result<DeviceCtx, ApiError> {
        // The scheme is case-insensitive (RFC 9110 §11.1).
        let token = header
            .and_then(|h| h.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim())
            .ok_or_else(ApiError::unauthorized)?;
        if token.len() > 200 {
            return Err(ApiError::unauthorized());
        }
        self.db
            .device_for_token(&hash_secret(token))?
            .and_then(super::access::authenticates)
            .ok_or_else(ApiError::unauthorized)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::service::{Limits, SeededEntropy, new_id};

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_failures_are_bounded() {
        let db = Arc::new(
            crate::sqlite::SqliteDb::open_dir(&std::env::temp_dir().join(new_id())).unwrap(),
        );
        let svc = Service::new(db, Limits::default());
        for h in ["bearer rt_x", "BEARER rt_x", "Bearer rt_x"] {
            // Unknown token: 401 from the lookup, not from the scheme.
            assert_eq!(svc.authenticate(Some(h)).unwrap_err().status, 401);
        }
        assert!(svc.authenticate(Some("Basic abc")).is_err());
        for i in 0..MAX_TRACKED_CLIENTS + 50 {
            svc.note_failure(&format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255));
        }
        assert!(svc.failed_enrolls.lock().unwrap().len() <= MAX_TRACKED_CLIENTS);
    }

    #[test]
    fn a_seeded_service_replays_its_ids_codes_and_tokens_and_the_default_does_not() {
        // What a service hands out on a fresh database: a member id, a code,
        // and the device id and token of an enrollment with that code.
        let run = |entropy: Option<u64>| {
            let dir = tempfile::tempdir().unwrap();
            let db = Arc::new(crate::sqlite::SqliteDb::open_dir(dir.path()).unwrap());
            let mut svc =
                Service::new(db.clone(), Limits::default()).with_clock(Box::new(|| 1_000));
            if let Some(seed) = entropy {
                svc = svc.with_entropy(Box::new(SeededEntropy::new(seed)));
            }
            let office = db.create_office(&svc.fresh_id(), "教研室", 0).unwrap().id;
            let member = svc.fresh_id();
            db.add_member(&member, &office, "老师", Role::Teacher, 0)
                .unwrap();
            let code = svc.issue_code(&member, 1).unwrap();
            let e = svc
                .enroll(
                    &EnrollRequest {
                        code: code.clone(),
                        actor: "0a".into(),
                        device_name: "d".into(),
                    },
                    "t",
                )
                .unwrap();
            (member, code, e.device_id, e.token)
        };
        let a = run(Some(3));
        assert_eq!(a, run(Some(3)));
        let differ = |x: &(String, String, String, String),
                      y: &(String, String, String, String)| {
            x.0 != y.0 && x.1 != y.1 && x.2 != y.2 && x.3 != y.3
        };
        assert!(differ(&a, &run(Some(4))));
        // Without a seed, every office's secrets are its own.
        let (d, e) = (run(None), run(None));
        assert!(differ(&d, &e) && differ(&d, &a));
    }

    #[test]
    fn codes_are_typable() {
        let c = new_code();
        assert_eq!(c.len(), 11);
        assert_eq!(normalize_code(&c.to_lowercase()), normalize_code(&c));
        assert_eq!(normalize_code("o1il-"), "0111");
        assert!(new_token().len() > 64);
    }
}
