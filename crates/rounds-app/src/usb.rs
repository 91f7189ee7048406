//! Sync by USB drive in the app: the drives to offer, writing this
//! device's bundle to one, and importing the office's answer from it
//! (`rounds_client::bundle`; docs/sync-protocol.md, "USB bundles").
//!
//! The file names are fixed per device, so a teacher only picks the
//! drive: `rounds-<device>.rounds` goes to the office, whose `rounds-office
//! bundle import` writes `rounds-<device>-return.rounds` beside it.

use std::path::{Path, PathBuf};

use rounds_client::bundle;
use rounds_store::Store;

use crate::types::{UsbDrive, UsbOutcome};
use crate::{App, AppError, Result};

/// Where removable media are mounted on Linux and macOS; on Windows each
/// drive letter after C.
fn mount_roots() -> Vec<PathBuf> {
    let user = std::env::var("USER").unwrap_or_default();
    let mut roots = vec![
        PathBuf::from("/media").join(&user),
        PathBuf::from("/run/media").join(&user),
        PathBuf::from("/Volumes"),
    ];
    if !user.is_empty() {
        roots.push(PathBuf::from("/media"));
    }
    roots
}

/// The drives a teacher may pick, by name: mounted removable media.
pub fn drives() -> Vec<UsbDrive> {
    let mut out: Vec<UsbDrive> = Vec::new();
    if cfg!(windows) {
        for letter in b'D'..=b'Z' {
            let root = format!("{}:\\", letter as char);
            if Path::new(&root).is_dir() {
                out.push(UsbDrive {
                    label: root.clone(),
                    path: root,
                });
            }
        }
        return out;
    }
    for root in mount_roots() {
        let Ok(entries) = std::fs::read_dir(&root) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        found.sort();
        for p in found {
            // `/media/<user>` is itself a directory of `/media`.
            if out.iter().any(|d| Path::new(&d.path) == p) || mount_roots().contains(&p) {
                continue;
            }
            out.push(UsbDrive {
                label: p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                path: p.to_string_lossy().into_owned(),
            });
        }
    }
    out
}

fn folder(path: &str) -> Result<PathBuf> {
    let p = PathBuf::from(path.trim());
    if path.trim().is_empty() || !p.is_dir() {
        return Err(AppError::invalid(
            "folder",
            format!("folder: `{}` is not a folder on this computer", path.trim()),
        ));
    }
    Ok(p)
}

/// The file names of this device's bundles.
fn names(store: &Store) -> Result<(String, String)> {
    let device = store
        .sync_get("device_id")?
        .ok_or_else(|| AppError::from(rounds_client::ClientError::NotJoined))?;
    let short: String = device
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(8)
        .collect();
    Ok((
        format!("rounds-{short}.rounds"),
        format!("rounds-{short}-return.rounds"),
    ))
}

fn refused(e: rounds_client::ClientError) -> AppError {
    match e {
        rounds_client::ClientError::Bundle(m) => AppError::invalid("bundle", m),
        other => other.into(),
    }
}

impl App {
    /// The drives to offer for sync by USB drive.
    pub fn usb_drives(&self) -> Vec<UsbDrive> {
        drives()
    }

    /// Writes what the office has not got from this device to the drive
    /// (or folder) `path`.
    pub fn usb_export(&self, path: &str) -> Result<UsbOutcome> {
        let dir = folder(path)?;
        // A connection of its own, like joining: the UI's stays free.
        let mut store = Store::open_dir(self.data_dir())?;
        if !bundle::registered(&store, self.data_dir()).map_err(AppError::from)? {
            return Err(AppError::invalid(
                "bundle_register",
                "this device has not registered for USB bundles yet: sync once over the network",
            ));
        }
        let (out, _) = names(&store)?;
        let file = dir.join(out);
        let r = bundle::export(
            &mut store,
            self.data_dir(),
            &file,
            bundle::PART_BYTES,
            bundle::now_ms(),
        )
        .map_err(refused)?;
        Ok(UsbOutcome {
            file: file.to_string_lossy().into_owned(),
            docs_sent: r.docs as u32,
            changes_sent: r.changes as u32,
            ..UsbOutcome::default()
        })
    }

    /// Imports the office's return bundle for this device from the drive
    /// (or folder) `path`.
    pub fn usb_import(&self, path: &str) -> Result<UsbOutcome> {
        let dir = folder(path)?;
        let mut store = Store::open_dir(self.data_dir())?;
        let (_, back) = names(&store)?;
        let file = dir.join(back);
        if !file.is_file() {
            return Err(AppError::invalid(
                "bundle_missing",
                format!(
                    "bundle_missing: there is no answer from the office ({}) on this drive yet",
                    file.display()
                ),
            ));
        }
        let r = bundle::import(&mut store, &file, bundle::now_ms()).map_err(refused)?;
        drop(store);
        // The UI's connection caches nothing a page writes, but the worker
        // reports what it last saw: ask it to look again.
        self.sync_now();
        Ok(UsbOutcome {
            file: file.to_string_lossy().into_owned(),
            received: (r.docs_received + r.snapshots_received) as u32,
            acknowledged: r.acknowledged as u32,
            refused: r.refused.len() as u32,
            cursor_moved: r.cursor_moved,
            ..UsbOutcome::default()
        })
    }
}
