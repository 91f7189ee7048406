//! The office and sync: join, pin, sync and status.

use std::path::Path;

use serde_json::json;

use crate::args::{JoinArgs, JsonArgs, PinArgs, SyncArgs};
use crate::common::{Failure, data_dir, open, print_json};

pub fn join(data: Option<&Path>, a: JoinArgs) -> Result<(), Failure> {
    let pin = match a.fingerprint.as_deref() {
        Some(f) => Some(rounds_client::Fingerprint::parse(f).map_err(Failure)?),
        None => None,
    };
    let dir = data_dir(data)?;
    let mut store = open(data)?;
    let conn = rounds_client::Connection {
        url: a.url,
        ca_file: a.ca,
        allow_http: a.allow_http,
        pin,
    };
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "rounds-cli".into());
    let join = if a.rejoin {
        rounds_client::rejoin
    } else {
        rounds_client::join
    };
    let e = join(
        &mut store,
        &dir,
        &conn,
        &a.code,
        a.device_name.as_deref().unwrap_or(&host),
    )?;
    if a.json {
        print_json(
            &json!({"office_id": e.office_id, "office_name": e.office_name, "member_name": e.member_name, "role": e.role, "device_id": e.device_id}),
        );
    } else {
        outln!("joined {} as {} ({})", e.office_name, e.member_name, e.role);
    }
    Ok(())
}

pub fn pin(data: Option<&Path>, a: PinArgs) -> Result<(), Failure> {
    let pin = rounds_client::Fingerprint::parse(&a.fingerprint).map_err(Failure)?;
    let mut store = open(data)?;
    rounds_client::repin(&mut store, pin)?;
    outln!("the office shows that certificate; pinned {pin}");
    Ok(())
}

pub fn sync(data: Option<&Path>, a: SyncArgs) -> Result<(), Failure> {
    let dir = data_dir(data)?;
    let mut store = open(data)?;
    if a.reset {
        store.reset_sync_cursor()?;
    }
    let r = rounds_client::sync_joined(&mut store, &dir)?;
    if a.json {
        print_json(&serde_json::to_value(&r)?);
    } else {
        outln!(
            "sent {} changes of {} documents, received {} changes of {} documents and {} whole documents; {} B up, {} B down, {} round trips",
            r.changes_pushed,
            r.docs_pushed,
            r.changes_received,
            r.docs_received,
            r.snapshots_received,
            r.bytes_up,
            r.bytes_down,
            r.round_trips
        );
        for rej in &r.rejections {
            outln!(
                "refused by the office: {} ({}): {}",
                rej.doc,
                rej.code,
                rej.message
            );
        }
    }
    Ok(())
}

pub fn status(data: Option<&Path>, a: JsonArgs) -> Result<(), Failure> {
    let store = open(data)?;
    let info = store.sync_info()?;
    if a.json {
        print_json(&serde_json::to_value(&info)?);
    } else if let Some(url) = &info.office_url {
        outln!(
            "office:   {} ({url})",
            info.office_name.as_deref().unwrap_or("?")
        );
        outln!(
            "as:       {} ({})",
            info.member_name.as_deref().unwrap_or("?"),
            info.role.as_deref().unwrap_or("?")
        );
        if let Some(pin) = store.sync_get("tls_pin")? {
            outln!("pinned:   {pin}");
        }
        outln!(
            "last sync: {}",
            info.last_sync
                .map_or_else(|| "never".into(), rounds_core::time::rfc3339)
        );
        outln!(
            "waiting:  {} documents with changes to send",
            info.pending_docs
        );
        if info.rejected_docs > 0 {
            outln!(
                "refused:  {} documents (see `rounds sync`)",
                info.rejected_docs
            );
        }
        outln!(
            "private cases on this device only: {}",
            info.local_only_docs
        );
        if info.newer_docs > 0 {
            outln!(
                "kept for a newer Rounds: {} documents of kinds this version cannot open (update Rounds to open them)",
                info.newer_docs
            );
        }
    } else {
        outln!(
            "not joined to an office; {} documents with changes wait for `rounds join`",
            info.pending_docs
        );
    }
    Ok(())
}
