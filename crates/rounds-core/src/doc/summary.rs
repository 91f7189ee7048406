//! The listing row of a document and its text for search: what the store's projections hold.

use super::*;

/// The listing row of a document: what projections store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub id: String,
    pub kind: DocKind,
    pub schema: u64,
    pub title: String,
    pub author: String,
    pub owner: String,
    pub created: i64,
    pub updated: i64,
    pub visibility: Visibility,
    pub language: Lang,
    pub deleted: bool,
    pub tags: Vec<String>,
    /// The values of the kind's filterable fields that are set
    /// (`KindDecl::filters`), by field key.
    pub filters: BTreeMap<String, String>,
}

impl Summary {
    /// The value of a filterable field, if set.
    pub fn filter(&self, key: &str) -> Option<&str> {
        self.filters.get(key).map(String::as_str)
    }
}

impl Document {
    /// The listing row.
    pub fn summary(&self) -> Summary {
        // The root and the fields are each read in one pass (see `MapView`).
        let root = MapView::of(&self.am, &ROOT);
        let fields = root.map("fields").map(|f| MapView::of(&self.am, f));
        let created = root.i64("created").unwrap_or(0);
        Summary {
            id: self.id.clone(),
            kind: self.kind,
            schema: self.schema,
            title: root.str(&self.am, "title").unwrap_or_default(),
            author: root.str(&self.am, "author").unwrap_or_default(),
            owner: root.str(&self.am, "owner").unwrap_or_default(),
            created,
            updated: root
                .map("updated")
                .map_or(created, |obj| updated_in(&self.am, obj, created)),
            visibility: root
                .str(&self.am, "visibility")
                .and_then(|v| Visibility::parse(&v))
                .unwrap_or(Visibility::Private),
            language: root
                .str(&self.am, "language")
                .and_then(|l| Lang::parse(&l))
                .unwrap_or(Lang::Zh),
            deleted: root.is_true("deleted"),
            tags: root
                .map("tags")
                .map(|obj| self.am.keys(obj).collect())
                .unwrap_or_default(),
            filters: self
                .kind
                .filters()
                .filter_map(|f| {
                    let v = fields.as_ref()?.str(&self.am, f.key)?;
                    (!v.is_empty()).then(|| (f.key.to_owned(), v))
                })
                .collect(),
        }
    }

    /// The references this document holds, in field order (list rows that
    /// were removed hold none).
    pub fn links(&self) -> Vec<crate::refs::Link> {
        let mut out = Vec::new();
        let Some(fields) = self.fields_obj() else {
            return out;
        };
        let fields = MapView::of(&self.am, &fields);
        let target = |v: Option<String>| v.as_deref().and_then(crate::refs::Target::parse);
        for f in self.kind.fields() {
            match &f.ty {
                FieldType::Ref { .. } => {
                    if let Some(to) = target(fields.str(&self.am, f.key)) {
                        out.push(crate::refs::Link {
                            field: f.key.to_owned(),
                            row: None,
                            to,
                        });
                    }
                }
                FieldType::List { item, .. }
                    if item.iter().any(|i| matches!(i.ty, FieldType::Ref { .. })) =>
                {
                    // Only the references of each row are read, not its texts.
                    let Some(list) = fields.map(f.key) else {
                        continue;
                    };
                    for row in list_items_of(&self.am, list).iter().filter(|e| !e.removed) {
                        for i in item
                            .iter()
                            .filter(|i| matches!(i.ty, FieldType::Ref { .. }))
                        {
                            if let Some(to) = target(row.view.str(&self.am, i.key)) {
                                out.push(crate::refs::Link {
                                    field: f.key.to_owned(),
                                    row: Some(row.id.clone()),
                                    to,
                                });
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Every text of the document, field by field, for the search index.
    /// The title is left out: it is indexed on its own.
    pub fn search_text(&self) -> String {
        let mut out = String::new();
        let Some(fields) = self.fields_obj() else {
            return out;
        };
        let fields = MapView::of(&self.am, &fields);
        for f in self.kind.fields() {
            collect_text(&self.am, &fields, f, &mut out);
        }
        out
    }
}

/// Groups fields by section, in schema order, for rendering.
pub fn sections(kind: DocKind) -> Vec<(crate::schema::Section, Vec<&'static Field>)> {
    kind.sections()
}

/// The listing row as the JSON that the CLI prints and the desktop app
/// receives: times as RFC 3339, absent choices as null.
pub fn summary_json(s: &Summary) -> Json {
    let mut out = json!({
        "id": s.id,
        "kind": s.kind.as_str(),
        "schema": s.schema,
        "title": s.title,
        "author": s.author,
        "owner": s.owner,
        "created": time::rfc3339(s.created),
        "updated": time::rfc3339(s.updated),
        "visibility": s.visibility.as_str(),
        "language": s.language.as_str(),
        "deleted": s.deleted,
        "tags": s.tags,
    });
    // Each filterable field of the kind is a key of its own, null when
    // unset, so scripts can read `.status` of any row.
    let m = out.as_object_mut().expect("an object");
    for f in s.kind.filters() {
        m.insert(f.key.to_owned(), json!(s.filter(f.key)));
    }
    out
}
