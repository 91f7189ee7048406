//! A document's changes and the document as it was after one of them.

use super::*;

impl Store {
    pub fn history(&self, id: &str) -> Result<Vec<HistoryEntry>> {
        Ok(self.load(id)?.history())
    }

    /// The document as it was right after the change `hash` (or a unique
    /// prefix of it, or its 1-based index in the history), or at a best
    /// version (its name or id).
    pub fn at(&self, id: &str, change: &str) -> Result<Document> {
        let mut doc = self.load(id)?;
        if let Some(b) = doc
            .collab()
            .best
            .into_iter()
            .find(|b| b.name == change || b.id == change)
        {
            let heads = rounds_core::collab::parse_heads(&b.heads).unwrap_or_default();
            return Ok(doc.at_heads(&heads)?);
        }
        let history = doc.history();
        let hash = if let Ok(i) = change.parse::<usize>()
            && change.len() < 8
        {
            history.get(i.wrapping_sub(1)).map(|h| h.hash.clone())
        } else {
            let m: Vec<&HistoryEntry> = history
                .iter()
                .filter(|h| h.hash.starts_with(change))
                .collect();
            (m.len() == 1).then(|| m[0].hash.clone())
        };
        let hash = hash.ok_or_else(|| {
            StoreError::Invalid(format!(
                "change: `{change}` names no single change of this document"
            ))
        })?;
        Ok(doc.at(&hash)?)
    }
}
