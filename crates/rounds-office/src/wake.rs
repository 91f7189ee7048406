//! The wake-up channel (`GET /v1/wait`): an online device waits here until
//! the office has something after its cursor that the device may read, then
//! syncs as usual. The answer is one bit ("there is more"), never document
//! data, so the channel adds nothing a sync would not show.
//!
//! Waits are bounded ([`WakeLimits`]): a device holds at most two at a time
//! (a second window, or a leftover request after a network change) and an
//! office at most a configured number; beyond that the office answers 429
//! or 503 and the device falls back to its periodic sync. A finished push
//! bumps a generation number that wakes every waiter of this process to
//! re-check; waiters also re-check every few seconds (`poll`) so that a push
//! taken by another office process (several processes on one database) is
//! seen within that time without any state shared between processes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use crate::db::DeviceCtx;
use crate::service::ApiError;

/// The bounds of the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WakeLimits {
    pub per_device: u32,
    pub per_office: u32,
    /// How often a waiter re-checks the database without being woken.
    pub poll: Duration,
}

impl Default for WakeLimits {
    fn default() -> Self {
        WakeLimits {
            per_device: 2,
            per_office: 2_000,
            poll: Duration::from_secs(5),
        }
    }
}

pub struct Wake {
    generation: watch::Sender<u64>,
    closing: AtomicBool,
    counts: Mutex<Counts>,
    limits: Mutex<WakeLimits>,
}

#[derive(Default)]
struct Counts {
    device: HashMap<String, u32>,
    office: HashMap<String, u32>,
}

impl Default for Wake {
    fn default() -> Self {
        Wake {
            generation: watch::Sender::new(0),
            closing: AtomicBool::new(false),
            counts: Mutex::new(Counts::default()),
            limits: Mutex::new(WakeLimits::default()),
        }
    }
}

/// A place among the waiters, given back when dropped: also when the
/// client goes away and the request's future is dropped mid-wait.
pub struct Slot {
    wake: Arc<Wake>,
    device: String,
    office: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut guard = self.wake.counts.lock().unwrap_or_else(|p| p.into_inner());
        let c = &mut *guard;
        for (map, key) in [(&mut c.device, &self.device), (&mut c.office, &self.office)] {
            if let Some(n) = map.get_mut(key) {
                *n -= 1;
                if *n == 0 {
                    map.remove(key);
                }
            }
        }
    }
}

impl Wake {
    pub fn limits(&self) -> WakeLimits {
        *self.limits.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Changes the bounds; waits already open keep their places.
    pub fn configure(&self, limits: WakeLimits) {
        *self.limits.lock().unwrap_or_else(|p| p.into_inner()) = limits;
    }

    /// Something was stored: every waiter re-checks.
    pub fn bump(&self) {
        self.generation.send_modify(|g| *g = g.wrapping_add(1));
    }

    /// The office is shutting down: every waiter answers at once, so that
    /// shutdown does not wait for long polls.
    pub fn close(&self) {
        self.closing.store(true, Ordering::SeqCst);
        self.bump();
    }

    pub fn is_closing(&self) -> bool {
        self.closing.load(Ordering::SeqCst)
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }

    /// Takes a place for `ctx`'s device, or says why there is none.
    pub fn enter(self: &Arc<Wake>, ctx: &DeviceCtx) -> Result<Slot, ApiError> {
        let limits = self.limits();
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let dev = c.device.get(&ctx.device).copied().unwrap_or(0);
        if dev >= limits.per_device {
            return Err(ApiError::new(
                429,
                "too_many_waits",
                format!(
                    "this device already waits {dev} times; sync periodically or close the other waits"
                ),
            ));
        }
        let off = c.office.get(&ctx.office).copied().unwrap_or(0);
        if off >= limits.per_office {
            return Err(ApiError::new(
                503,
                "busy",
                "too many devices are waiting at this office; sync periodically",
            ));
        }
        *c.device.entry(ctx.device.clone()).or_default() += 1;
        *c.office.entry(ctx.office.clone()).or_default() += 1;
        Ok(Slot {
            wake: self.clone(),
            device: ctx.device.clone(),
            office: ctx.office.clone(),
        })
    }

    /// How many waits are open (status and tests).
    pub fn open_waits(&self) -> u32 {
        let c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        c.office.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(device: &str, office: &str) -> DeviceCtx {
        DeviceCtx {
            device: device.into(),
            member: format!("m-{device}"),
            member_name: format!("member {device}"),
            office: office.into(),
            role: crate::db::Role::Teacher,
        }
    }

    #[test]
    fn places_are_bounded_per_device_and_per_office_and_given_back() {
        let wake = Arc::new(Wake::default());
        wake.configure(WakeLimits {
            per_device: 2,
            per_office: 3,
            ..WakeLimits::default()
        });
        let a1 = wake.enter(&ctx("a", "o")).unwrap();
        let _a2 = wake.enter(&ctx("a", "o")).unwrap();
        assert_eq!(wake.enter(&ctx("a", "o")).err().unwrap().status, 429);
        let _b1 = wake.enter(&ctx("b", "o")).unwrap();
        assert_eq!(wake.enter(&ctx("c", "o")).err().unwrap().status, 503);
        // Another office has its own bound.
        let _x = wake.enter(&ctx("c", "other")).unwrap();
        assert_eq!(wake.open_waits(), 4);
        drop(a1);
        assert_eq!(wake.open_waits(), 3);
        let _c1 = wake.enter(&ctx("c", "o")).unwrap();
    }
}
