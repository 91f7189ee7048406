//! Declares the app's commands so that each gets an `allow-…` permission
//! and only those granted in capabilities/ can be called.

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(rounds_desktop_commands())),
    )
    .expect("tauri build script");
}

/// Every command in src/commands.rs.
fn rounds_desktop_commands() -> &'static [&'static str] {
    &[
        "schema",
        "profile",
        "set_name",
        "list_docs",
        "search_docs",
        "get_doc",
        "create_doc",
        "edit_doc",
        "edit_doc_at",
        "refresh_doc",
        "delete_doc",
        "restore_doc",
        "share_doc",
        "mask_findings",
        "restore_row",
        "list_carried",
        "dismiss_removed",
        "history",
        "doc_at",
        "import_samples",
        "sync_status",
        "join_office",
        "sync_now",
        "usb_drives",
        "usb_export",
        "usb_import",
        "export_docx",
        "export_pdf",
        "import_docx",
        "close_now",
        "close_blocked",
        "print_page",
        "save_pdf",
        "templates",
        "create_from",
        "export_markdown",
        "collab_view",
        "refresh_directory",
        "comment",
        "suggest",
        "reply",
        "resolve_thread",
        "decide_suggestion",
        "set_group",
        "move_stage",
        "review_decision",
        "write_review",
        "mark_best",
        "reflect",
        "adapt_doc",
        "take_upstream",
        "compare_versions",
        "review_record",
        "inbox",
        "inbox_unread",
        "mark_read",
    ]
}
