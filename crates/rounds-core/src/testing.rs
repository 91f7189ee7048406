//! Documents for tests, made the one way every test makes them (behind the
//! `test-support` feature; nothing that ships enables it).
//!
//! It lives here, not in `rounds-testkit`, because this crate's own tests
//! need it and this crate may depend on nothing above it; the testkit
//! re-exports it for everyone else.

use automerge::ActorId;
use serde_json::Value;

use crate::doc::{DocError, Document, EditCtx, IdGen, NewDoc, SeqIds};
use crate::schema::{DocKind, Lang};

/// The actor of test device `n`: sixteen bytes of `n`.
pub fn actor(n: u8) -> ActorId {
    ActorId::from(vec![n; 16])
}

/// The context of one save by `author` at `now_ms`, new ids from `ids`.
pub fn ctx<'a>(author: &'a str, ids: &'a mut dyn IdGen, now_ms: i64) -> EditCtx<'a> {
    EditCtx {
        now_ms,
        author,
        ids,
    }
}

/// A copy of `doc` on test device `n` (its own actor), as another device
/// holds it after a sync.
pub fn fork(doc: &mut Document, n: u8) -> Document {
    let mut d = Document::load(&doc.save()).unwrap();
    d.set_actor(actor(n));
    d
}

/// What [`doc`] makes: a new document and how it is made, each part
/// defaulted the way most tests want it.
#[derive(Debug, Clone)]
pub struct TestDoc {
    new: NewDoc,
    actor: ActorId,
    author: String,
    now_ms: i64,
    ids: String,
    fields: Option<Value>,
}

/// A new document `id` of `kind` titled `title`: in Chinese, owned by
/// `u1`, written by 王老师 on device 1 at 2023-11-14T22:13:20Z, its list
/// rows numbered `el0001`, `el0002`… Change any of that with the methods,
/// then [`TestDoc::create`].
pub fn doc(id: &str, kind: DocKind, title: &str) -> TestDoc {
    TestDoc {
        new: NewDoc {
            id: id.to_owned(),
            kind,
            title: title.to_owned(),
            language: Lang::Zh,
            owner: "u1".to_owned(),
        },
        actor: actor(1),
        author: "王老师".to_owned(),
        now_ms: 1_700_000_000_000,
        ids: "el".to_owned(),
        fields: None,
    }
}

impl TestDoc {
    pub fn owner(mut self, owner: &str) -> TestDoc {
        self.new.owner = owner.to_owned();
        self
    }

    pub fn language(mut self, language: Lang) -> TestDoc {
        self.new.language = language;
        self
    }

    pub fn author(mut self, author: &str) -> TestDoc {
        self.author = author.to_owned();
        self
    }

    pub fn actor(mut self, actor: ActorId) -> TestDoc {
        self.actor = actor;
        self
    }

    /// When it is made (milliseconds since the Unix epoch).
    pub fn at(mut self, now_ms: i64) -> TestDoc {
        self.now_ms = now_ms;
        self
    }

    /// The prefix of its list rows' ids.
    pub fn ids(mut self, prefix: &str) -> TestDoc {
        self.ids = prefix.to_owned();
        self
    }

    /// The fields it starts with, as in an import.
    pub fn fields(mut self, fields: Value) -> TestDoc {
        self.fields = Some(fields);
        self
    }

    /// The document, or why `Document::create` refused it.
    pub fn try_create(self) -> Result<Document, DocError> {
        let mut ids = SeqIds::new(&self.ids);
        Document::create(
            &self.new,
            self.actor,
            &mut ctx(&self.author, &mut ids, self.now_ms),
            self.fields.as_ref(),
        )
    }

    pub fn create(self) -> Document {
        self.try_create().unwrap()
    }
}
