//! A site with no link in the simulated world: one device syncs only by
//! USB bundle (`Sim::with_usb_site`). Its "sync" writes a bundle, an
//! office process imports it as the service does for `rounds-office
//! bundle import`, and the device imports the return bundle — each leg
//! subject to the world's faults: a bundle lost on the way (never
//! imported), a return bundle lost, or an older return bundle carried in
//! again after the new one (the cursor must not move back).

use super::*;

impl Sim {
    /// Registers client `c`'s bundle key with the office, as joining does
    /// over `POST /v1/bundle-key`.
    pub(super) fn register_usb_key(&mut self, c: usize) {
        let cl = &mut self.clients[c];
        let req = rounds_client::bundle::key_request(&mut cl.worker, cl.dir.path()).unwrap();
        let office = self.office.borrow();
        let svc = &office.first().service;
        let ctx = svc
            .authenticate(Some(&format!("Bearer {}", cl.token)))
            .unwrap();
        let answer = svc.register_bundle_key(&ctx, &req).unwrap();
        rounds_client::bundle::key_registered(&mut cl.worker, &req, &answer).unwrap();
        cl.worker.sync_set("device_id", Some(&cl.device)).unwrap();
    }

    /// One bundle round trip of client `c`, with `fault`.
    pub(super) fn bundle_sync(&mut self, c: usize, fault: Fault) {
        self.counts.bundles += 1;
        let path = self.clients[c].dir.path().join("usb.rounds");
        let now = self.clock.now();
        let cl = &mut self.clients[c];
        let exported = rounds_client::bundle::export(
            &mut cl.worker,
            cl.dir.path(),
            &path,
            rounds_client::bundle::PART_BYTES,
            now,
        );
        self.trace(c, || format!("writes a bundle ({fault:?}): {exported:?}"));
        if exported.is_err() || fault == Fault::LoseRequest {
            return;
        }
        let bytes = std::fs::read(&path).unwrap();
        let process = self.process();
        let answer = {
            let office = self.office.borrow();
            let svc = &office.processes[process].service;
            let imported = svc.import_bundle(&bytes);
            if fault == Fault::Duplicate && imported.is_ok() {
                let again = svc.import_bundle(&bytes).unwrap_err();
                assert_eq!(again.code, "bundle_replayed", "{again:?}");
            }
            match imported {
                Ok(r) => r.answer,
                Err(e) => {
                    // A revoked device's bundle is refused, as its sync is.
                    assert!(self.clients[c].revoked, "bundle refused: {e:?}");
                    return;
                }
            }
        };
        if fault == Fault::LoseResponse {
            return;
        }
        let cl = &mut self.clients[c];
        let back = cl.dir.path().join("usb-return.rounds");
        std::fs::write(&back, &answer).unwrap();
        let r = rounds_client::bundle::import(&mut cl.worker, &back, now);
        self.trace(c, || format!("imports the return bundle: {r:?}"));
        r.unwrap();
        if fault == Fault::Duplicate
            && let Some(old) = self.last_return.replace(answer)
        {
            // An older return bundle found on the stick, imported again.
            let cl = &mut self.clients[c];
            std::fs::write(&back, &old).unwrap();
            let cursor = cl.worker.sync_cursor().unwrap();
            let r = rounds_client::bundle::import(&mut cl.worker, &back, now).unwrap();
            if !r.cursor_moved {
                assert_eq!(cl.worker.sync_cursor().unwrap(), cursor);
            }
        }
    }
}
