//! `rounds backup create|restore`: the whole library, history included.

use std::path::Path;

use crate::args::BackupAction;
use crate::common::{Failure, open};

pub fn backup(data: Option<&Path>, action: BackupAction) -> Result<(), Failure> {
    let mut store = open(data)?;
    match action {
        BackupAction::Create { file } => {
            let n = store.backup(&file)?;
            outln!("backed up {n} documents to {}", file.display());
        }
        BackupAction::Restore { file } => {
            let (restored, merged) = store.restore_backup(&file)?;
            outln!("restored {restored} documents, merged {merged} into existing ones");
        }
    }
    Ok(())
}
