//! The Tauri shell of Rounds. All behaviour lives in rounds-app; this file
//! wires it to a window: the commands, the sync worker's status as
//! `sync-status` events, and closing only after the UI has saved.

mod commands;

use std::time::Duration;

use rounds_app::{App, Timing};
use tauri::{Emitter, Manager};

/// How long closing waits for the UI to save before closing anyway, so a
/// broken page can never keep the window open.
const CLOSE_GRACE: Duration = Duration::from_secs(3);

pub fn run() {
    // GTK would panic with a backtrace; a teacher who starts Rounds from a
    // remote terminal deserves one clear sentence instead.
    if std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty())
        && std::env::var_os("WAYLAND_DISPLAY").is_none_or(|d| d.is_empty())
    {
        eprintln!(
            "rounds-desktop: no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set). \
             Start Rounds from a desktop session, or use the `rounds` command line."
        );
        std::process::exit(1);
    }
    let app = match App::default_dir().and_then(|d| App::open(&d)) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("rounds: {}", e.message);
            std::process::exit(1);
        }
    };
    let result = tauri::Builder::default()
        .manage(app)
        .setup(|a| {
            let handle = a.handle().clone();
            a.state::<App>()
                .start_sync(Timing::default(), move |status| {
                    let _ = handle.emit("sync-status", status);
                });
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                // Autosave may hold a few hundred milliseconds of typing:
                // the UI saves it and then calls `close_now`.
                api.prevent_close();
                let _ = window.emit("close-requested", ());
                let handle = window.app_handle().clone();
                std::thread::spawn(move || {
                    std::thread::sleep(CLOSE_GRACE);
                    handle.exit(0);
                });
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::schema,
            commands::profile,
            commands::set_name,
            commands::list_docs,
            commands::search_docs,
            commands::get_doc,
            commands::create_doc,
            commands::edit_doc,
            commands::edit_doc_at,
            commands::refresh_doc,
            commands::delete_doc,
            commands::restore_doc,
            commands::share_doc,
            commands::mask_findings,
            commands::history,
            commands::doc_at,
            commands::import_samples,
            commands::sync_status,
            commands::join_office,
            commands::sync_now,
            commands::close_now,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("rounds: {e}");
        std::process::exit(1);
    }
}
