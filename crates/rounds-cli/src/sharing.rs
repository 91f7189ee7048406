//! Sharing and de-identification: share, check and mask.

use std::path::Path;

use rounds_core::doc::summary_json;
use rounds_core::schema::Lang;
use rounds_store::Store;

use crate::args::{CheckArgs, MaskArgs, ShareArgs};
use crate::common::{Failure, open, print_json};

pub fn share(data: Option<&Path>, a: ShareArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let id = store.resolve(&a.id)?;
    let s = store.share(&id, a.attest)?;
    if a.json {
        print_json(&summary_json(&s));
    } else if s.id != id {
        outln!(
            "shared as a new document {} (the private original stays on this device, in the trash)",
            s.id
        );
    } else {
        outln!("shared {}", s.id);
    }
    Ok(())
}

pub fn check(data: Option<&Path>, a: CheckArgs) -> Result<(), Failure> {
    let store = open(data)?;
    let id = store.resolve(&a.id)?;
    let findings = store.check(&id)?;
    if a.json {
        print_json(&serde_json::to_value(&findings)?);
    } else if findings.is_empty() {
        outln!("no likely patient identifiers found (a person must still check before sharing)");
    } else {
        let zh = store.summary(&id)?.language == Lang::Zh;
        for (i, f) in findings.iter().enumerate() {
            let reason = if zh {
                &f.finding.reason_zh
            } else {
                &f.finding.reason_en
            };
            outln!(
                "{:>3}  {:<6}  {}: “{}” → {}  ({reason})",
                i + 1,
                format!("{:?}", f.finding.confidence).to_lowercase(),
                f.label,
                f.finding.text,
                f.finding.mask
            );
        }
        if rounds_core::deid::blocks_sharing(&findings) {
            outln!(
                "high-confidence findings block sharing; `rounds mask {}` replaces them",
                Store::short_id(&id)
            );
        }
    }
    Ok(())
}

pub fn mask(data: Option<&Path>, a: MaskArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let id = store.resolve(&a.id)?;
    let only = (!a.findings.is_empty()).then_some(a.findings.as_slice());
    let (_, n) = store.mask(&id, only)?;
    outln!("masked {n} finding(s)");
    Ok(())
}
