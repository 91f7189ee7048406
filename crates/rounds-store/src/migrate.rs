//! The device store's schema migrations, run by [`rounds_sqlite::migrate`].

/// The client migrations, in order. The file name's number is its version.
pub const CLIENT: &[(&str, &str)] = &[
    (
        "0001_init",
        include_str!("../../../migrations/client/0001_init.sql"),
    ),
    (
        "0002_sync",
        include_str!("../../../migrations/client/0002_sync.sql"),
    ),
    (
        "0003_carried",
        include_str!("../../../migrations/client/0003_carried.sql"),
    ),
    (
        "0004_removed_edits",
        include_str!("../../../migrations/client/0004_removed_edits.sql"),
    ),
    (
        "0005_squashed",
        include_str!("../../../migrations/client/0005_squashed.sql"),
    ),
    (
        "0006_doc_filters",
        include_str!("../../../migrations/client/0006_doc_filters.sql"),
    ),
    (
        "0007_doc_links",
        include_str!("../../../migrations/client/0007_doc_links.sql"),
    ),
    (
        "0008_inbox",
        include_str!("../../../migrations/client/0008_inbox.sql"),
    ),
    (
        "0009_local_heads",
        include_str!("../../../migrations/client/0009_local_heads.sql"),
    ),
    (
        "0010_squashed_changes",
        include_str!("../../../migrations/client/0010_squashed_changes.sql"),
    ),
];
