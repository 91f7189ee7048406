//! `rounds bundle export|import`: sync by USB drive.

use std::path::Path;

use crate::args::BundleAction;
use crate::common::{Failure, data_dir, open, print_json};

pub fn bundle(data: Option<&Path>, action: BundleAction) -> Result<(), Failure> {
    let dir = data_dir(data)?;
    let mut store = open(data)?;
    let now = rounds_client::bundle::now_ms();
    match action {
        BundleAction::Export {
            file,
            part_bytes,
            json,
        } => {
            let part = part_bytes.unwrap_or(rounds_client::bundle::PART_BYTES);
            let r = rounds_client::bundle::export(&mut store, &dir, &file, part, now)?;
            if json {
                print_json(&serde_json::to_value(&r)?);
            } else {
                let files: Vec<String> = r.files.iter().map(|p| p.display().to_string()).collect();
                outln!(
                    "wrote bundle {}: {} changes of {} documents, {} B, to {}",
                    r.bundle,
                    r.changes,
                    r.docs,
                    r.bytes,
                    files.join(", ")
                );
                outln!(
                    "take it to the office (`rounds-office bundle import`), then import the return bundle here with `rounds bundle import`"
                );
            }
        }
        BundleAction::Import { file, json } => {
            let r = rounds_client::bundle::import(&mut store, &file, now)?;
            if json {
                print_json(&serde_json::to_value(&r)?);
            } else {
                outln!(
                    "imported bundle {}: {} pages, {} documents changed and {} whole documents received, {} of your documents acknowledged",
                    r.bundle,
                    r.pages,
                    r.docs_received,
                    r.snapshots_received,
                    r.acknowledged
                );
                for (doc, code, message) in &r.refused {
                    outln!("refused by the office: {doc} ({code}): {message}");
                }
                if !r.cursor_moved {
                    outln!(
                        "this device had moved on since the bundle was written: what it brought was merged, and the next sync or bundle continues from where the device is"
                    );
                }
            }
        }
    }
    Ok(())
}
