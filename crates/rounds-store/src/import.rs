//! Importing JSON documents and the sample library.

use super::*;

impl Store {
    /// Imports one document from its JSON export (or a hand-written object
    /// with `kind`, `title` and fields). A document whose id already exists
    /// is updated with the fields instead of duplicated, so importing the
    /// same file twice changes nothing.
    pub fn import_json(&mut self, text: &str) -> Result<(Summary, bool)> {
        if text.len() > MAX_IMPORT_BYTES {
            return Err(StoreError::Invalid(format!(
                "import: larger than {} MB",
                MAX_IMPORT_BYTES / 1024 / 1024
            )));
        }
        let mut v: Json = serde_json::from_str(text)?;
        let obj = v
            .as_object_mut()
            .ok_or_else(|| StoreError::Invalid("import: must be a JSON object".into()))?;
        let kind_s = obj
            .get("kind")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned();
        let kind = DocKind::parse(&kind_s).ok_or_else(|| {
            StoreError::Invalid(format!(
                "kind: must be `lesson_plan` or `case`, not `{kind_s}`"
            ))
        })?;
        let id = obj.get("id").and_then(Json::as_str).map(str::to_owned);
        // Metadata that Rounds sets itself is carried by the document, not by
        // the import: drop it so the rest can be validated as an edit.
        for k in rounds_core::doc::RESERVED_KEYS
            .iter()
            .filter(|k| !["title", "tags", "language"].contains(k))
        {
            obj.remove(*k);
        }
        if let Some(id) = &id {
            rounds_core::doc::validate_id(id)?;
            if self.rowid(id)?.is_some() {
                let (s, ()) = self.change_in_opts(id, false, |_, doc, ctx| {
                    doc.apply_import(&v, ctx)?;
                    Ok(())
                })?;
                return Ok((s, false));
            }
        }
        let title = obj
            .get("title")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned();
        let language = match obj.get("language").and_then(Json::as_str) {
            Some(l) => Lang::parse(l)
                .ok_or_else(|| StoreError::Invalid("language: must be `zh` or `en`".into()))?,
            None => Lang::Zh,
        };
        let id = match id {
            Some(id) => id,
            None => new_doc_id((self.clock)(), self.entropy.as_mut()),
        };
        let s = self.create_with_id(&id, kind, &title, language, Some(&v), false)?;
        Ok((s, true))
    }

    /// Imports the sample library, skipping samples already in the store
    /// (also ones the user has since edited or deleted). Returns how many
    /// were added.
    pub fn import_samples(&mut self) -> Result<usize> {
        let mut added = 0;
        for (name, text) in rounds_core::samples::all() {
            let id = serde_json::from_str::<Json>(text)?
                .get("id")
                .and_then(Json::as_str)
                .map(str::to_owned)
                .ok_or_else(|| StoreError::Invalid(format!("sample {name} has no id")))?;
            if self.rowid(&id)?.is_none() {
                // A sample keeps the date it was written (its `created`),
                // so the library does not show every sample as changed
                // just now.
                let written = serde_json::from_str::<Json>(text)?
                    .get("created")
                    .and_then(Json::as_str)
                    .and_then(rounds_core::time::parse_rfc3339);
                let saved =
                    written.map(|t| std::mem::replace(&mut self.clock, Box::new(move || t)));
                let r = self.import_json(text);
                if let Some(c) = saved {
                    self.clock = c;
                }
                r?;
                added += 1;
            }
        }
        Ok(added)
    }
}
