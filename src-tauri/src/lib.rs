//! The Tauri shell of Rounds. All behaviour lives in rounds-app; this file
//! wires it to a window: the commands, the sync worker's status as
//! `sync-status` events, and closing only after the UI has saved.

mod commands;
pub mod print;
pub mod startup;

use std::time::Duration;

use rounds_app::{App, Timing};
use tauri::{Emitter, LogicalSize, Manager};

/// How long closing waits for the UI to save before closing anyway, so a
/// broken page can never keep the window open.
/// How long a close request waits for the UI to answer (saved, or a save
/// failed) before the app exits anyway: only a UI that no longer runs at
/// all takes that long, and then there is nothing left to save.
const CLOSE_GRACE: Duration = Duration::from_secs(15);

/// Close requests and whether the UI held the latest one back because a
/// save failed.
#[derive(Default)]
pub struct CloseState {
    requested: std::sync::atomic::AtomicU64,
    blocked: std::sync::atomic::AtomicU64,
}

impl CloseState {
    /// A new close request; returns its number.
    fn request(&self) -> u64 {
        self.requested
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1
    }

    /// The UI keeps the window open for the latest request.
    pub fn block(&self) {
        let r = self.requested.load(std::sync::atomic::Ordering::SeqCst);
        self.blocked.store(r, std::sync::atomic::Ordering::SeqCst);
    }

    fn is_blocked(&self, request: u64) -> bool {
        self.blocked.load(std::sync::atomic::Ordering::SeqCst) >= request
    }
}

/// The window's size where the screen has room (logical pixels).
const PREFERRED: (f64, f64) = (1200.0, 820.0);
/// The smallest the layout works at (tauri.conf.json's minWidth/minHeight).
const SMALLEST: (f64, f64) = (760.0, 520.0);
/// Room left for the title bar and frame, which are outside the size set.
const FRAME: (f64, f64) = (16.0, 48.0);

/// The first window's size on a screen whose work area (without panels and
/// docks) is `avail`, in logical pixels: the preferred size where it fits,
/// else the work area less the frame, so the status bar at the bottom is on
/// screen on a 1366×768 laptop; never below the smallest usable size.
pub fn first_window_size(avail: (f64, f64)) -> (f64, f64) {
    let fit = |pref: f64, room: f64, frame: f64, least: f64| pref.min(room - frame).max(least);
    (
        fit(PREFERRED.0, avail.0, FRAME.0, SMALLEST.0),
        fit(PREFERRED.1, avail.1, FRAME.1, SMALLEST.1),
    )
}

/// Sizes the window to the screen it opened on and centres it.
fn fit_to_screen(w: &tauri::WebviewWindow) {
    let Ok(Some(m)) = w.current_monitor() else {
        return;
    };
    let area = m.work_area().size;
    let scale = m.scale_factor();
    let (width, height) = first_window_size((
        f64::from(area.width) / scale,
        f64::from(area.height) / scale,
    ));
    let _ = w.set_size(LogicalSize::new(width, height));
    let _ = w.center();
}

pub fn run() {
    #[cfg(target_os = "linux")]
    startup::without_compositing();
    // GTK would panic with a backtrace; a teacher who starts Rounds from a
    // remote terminal deserves one clear sentence instead. (Only where GTK
    // is the toolkit: Windows and macOS have no DISPLAY.)
    #[cfg(all(unix, not(target_os = "macos")))]
    if std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty())
        && std::env::var_os("WAYLAND_DISPLAY").is_none_or(|d| d.is_empty())
    {
        eprintln!(
            "rounds-desktop: no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set). \
             Start Rounds from a desktop session, or use the `rounds` command line."
        );
        std::process::exit(1);
    }
    // Without the WebView2 Runtime the window would fail to open with an
    // error no one sees; an offline Windows 10 PC may well lack it.
    #[cfg(windows)]
    if startup::webview2_version().is_none() {
        startup::fail(startup::TITLE, startup::WEBVIEW2_MISSING);
    }
    let app = match App::default_dir().and_then(|d| App::open(&d)) {
        Ok(app) => app,
        Err(e) => startup::fail(startup::TITLE, &e.message),
    };
    let result = tauri::Builder::default()
        .manage(app)
        .manage(CloseState::default())
        .setup(|a| {
            if let Some(w) = a.get_webview_window("main") {
                fit_to_screen(&w);
            }
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
                // the UI saves it and then calls `close_now`, or, if a save
                // failed, `close_blocked` and tells the teacher.
                api.prevent_close();
                let handle = window.app_handle().clone();
                let request = handle.state::<CloseState>().request();
                let _ = window.emit("close-requested", ());
                std::thread::spawn(move || {
                    std::thread::sleep(CLOSE_GRACE);
                    if !handle.state::<CloseState>().is_blocked(request) {
                        handle.exit(0);
                    }
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
            commands::restore_row,
            commands::list_carried,
            commands::dismiss_removed,
            commands::history,
            commands::doc_at,
            commands::import_samples,
            commands::sync_status,
            commands::join_office,
            commands::sync_now,
            commands::usb_drives,
            commands::usb_export,
            commands::usb_import,
            commands::export_docx,
            commands::export_pdf,
            commands::import_docx,
            commands::close_now,
            commands::close_blocked,
            commands::print_page,
            commands::save_pdf,
            commands::templates,
            commands::create_from,
            commands::export_markdown,
            commands::collab_view,
            commands::refresh_directory,
            commands::comment,
            commands::suggest,
            commands::reply,
            commands::resolve_thread,
            commands::decide_suggestion,
            commands::set_group,
            commands::move_stage,
            commands::review_decision,
            commands::write_review,
            commands::mark_best,
            commands::reflect,
            commands::adapt_doc,
            commands::take_upstream,
            commands::compare_versions,
            commands::review_record,
            commands::inbox,
            commands::inbox_unread,
            commands::mark_read,
        ])
        .run(context());
    if let Err(e) = result {
        startup::fail(startup::TITLE, &e.to_string());
    }
}

/// The app's configuration, with one measuring aid: `ROUNDS_BLANK_PAGE=1`
/// opens the window on an empty page of the app's own (ui/public/blank.html)
/// instead of Rounds' interface. The benchmark measures WebKit's own memory
/// that way, in the same app with the same library open, to tell what
/// Rounds' page adds above it (BENCHMARKS.md, "Desktop app").
fn context() -> tauri::Context<tauri::Wry> {
    let mut ctx = tauri::generate_context!();
    if std::env::var_os("ROUNDS_BLANK_PAGE").is_some_and(|v| v == "1") {
        for w in &mut ctx.config_mut().app.windows {
            w.url = tauri::WebviewUrl::App("blank.html".into());
        }
    }
    ctx
}

#[cfg(test)]
mod close_tests {
    use super::CloseState;

    #[test]
    fn a_blocked_close_request_stays_blocked_and_a_new_one_is_not() {
        let s = CloseState::default();
        let first = s.request();
        assert!(!s.is_blocked(first));
        s.block();
        assert!(s.is_blocked(first));
        // Closing again later asks the UI again.
        let second = s.request();
        assert!(!s.is_blocked(second));
    }
}
