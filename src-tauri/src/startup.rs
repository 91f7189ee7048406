//! What the app checks before it opens a window, and how it says that it
//! cannot start: a teacher who double-clicked Rounds on Windows has no
//! console to read, so there the reason is a message box.

/// The WebView2 Runtime's client id in EdgeUpdate's registry keys
/// (Microsoft's "Distribute your app and the WebView2 Runtime": "Detect if a
/// WebView2 Runtime is already installed").
pub const WEBVIEW2_CLIENT: &str = "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}";

/// Where the Evergreen runtime records its version `pv`: installed for
/// the whole machine (64-bit Windows keeps EdgeUpdate under WOW6432Node;
/// the plain key is where 32-bit Windows has it, read in case) and installed
/// for this user alone, which a teacher without administrator rights may
/// have done.
pub fn webview2_keys() -> [(bool, String); 3] {
    [
        (
            true,
            format!(r"SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{WEBVIEW2_CLIENT}"),
        ),
        (
            true,
            format!(r"SOFTWARE\Microsoft\EdgeUpdate\Clients\{WEBVIEW2_CLIENT}"),
        ),
        (
            false,
            format!(r"Software\Microsoft\EdgeUpdate\Clients\{WEBVIEW2_CLIENT}"),
        ),
    ]
}

/// Whether a `pv` value names an installed runtime: Microsoft's rule is
/// that it exists and is neither empty nor `0.0.0.0` (an uninstall can
/// leave the key behind with that value).
pub fn is_installed_version(pv: Option<&str>) -> bool {
    pv.map(str::trim)
        .is_some_and(|v| !v.is_empty() && v != "0.0.0.0")
}

/// The title of a message box saying Rounds cannot start: the name the
/// Start menu shows.
pub const TITLE: &str = "Rounds 教学查房";

/// What to install, in both languages: the app cannot know which the
/// teacher reads before its window (and its language setting) exists.
pub const WEBVIEW2_MISSING: &str = "\
Rounds 需要 Microsoft Edge WebView2 运行时，这台电脑上没有安装。\n\
请安装 “Microsoft Edge WebView2 Runtime”（常青版，Evergreen），然后重新打开 Rounds。\n\
没有网络时，可以从教研室服务器的下载页（教研室网址后加 /downloads/）下载离线安装包，或向医院信息科索取。\n\
\n\
Rounds needs the Microsoft Edge WebView2 Runtime, which is not installed on this computer.\n\
Install the \"Microsoft Edge WebView2 Runtime\" (Evergreen), then open Rounds again.\n\
Without an internet connection, download the offline installer from your teaching office's server (its address followed by /downloads/), or ask the hospital's IT department for it.";

/// The runtime's version if Windows has it installed for the machine or
/// for this user.
#[cfg(windows)]
pub fn webview2_version() -> Option<String> {
    use winreg::RegKey;
    use winreg::enums::{HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE, KEY_READ};
    webview2_keys().iter().find_map(|(machine, path)| {
        let root = RegKey::predef(if *machine {
            HKEY_LOCAL_MACHINE
        } else {
            HKEY_CURRENT_USER
        });
        let pv: String = root
            .open_subkey_with_flags(path, KEY_READ)
            .ok()?
            .get_value("pv")
            .ok()?;
        is_installed_version(Some(&pv)).then_some(pv)
    })
}

/// Tells the teacher why Rounds cannot start and exits. On Windows the
/// release build has no console (main.rs), so the text goes to a message
/// box as well as to stderr, which a console run still shows.
pub fn fail(title: &str, text: &str) -> ! {
    eprintln!("rounds: {text}");
    #[cfg(windows)]
    {
        let _ = rfd::MessageDialog::new()
            .set_level(rfd::MessageLevel::Error)
            .set_title(title)
            .set_description(text)
            .set_buttons(rfd::MessageButtons::Ok)
            .show();
    }
    #[cfg(not(windows))]
    let _ = title;
    std::process::exit(1);
}

/// Restarts this process, once and before anything else, with WebKitGTK's
/// compositing mode off (`WEBKIT_DISABLE_COMPOSITING_MODE=1`): WebKit then
/// paints every layer of the page into one surface with the CPU. Measured
/// side by side on the same library (docs/desktop.md, "Drawing without
/// WebKit's compositing mode"), the compositing mode costs the web process tens of megabytes of layer
/// buffers that grow with every search shown, and a keystroke in a long
/// text field waits several times longer for its frame; Rounds' pages are
/// forms and lists that gain nothing from it.
///
/// Why a restart: WebKit reads the variable when it starts, and setting it
/// from Rust is `unsafe` (the workspace forbids it); switching the
/// equivalent setting (hardware-acceleration-policy) on a page already
/// shown crashes WebKitGTK 2.50's web process. `exec` keeps the process id,
/// arguments and open descriptors, so whoever started Rounds (a desktop
/// launcher, tauri-driver) sees one process. `ROUNDS_WEBKIT_COMPOSITING=1`
/// keeps WebKit's default, for the benchmark's comparison and for a machine
/// where it draws better.
#[cfg(target_os = "linux")]
pub fn without_compositing() {
    use std::os::unix::process::CommandExt;
    const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if std::env::var_os(VAR).is_some()
        || std::env::var_os("ROUNDS_WEBKIT_COMPOSITING").is_some_and(|v| v == "1")
    {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let mut cmd = std::process::Command::new(exe);
    if let Some(arg0) = args.next() {
        cmd.arg0(arg0);
    }
    // Returns only if the restart failed (the binary replaced by an update
    // while running, say): Rounds then runs as it is, composited.
    let e = cmd.args(args).env(VAR, "1").exec();
    eprintln!(
        "rounds-desktop: could not restart without WebKit's compositing mode ({e}); going on with it"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runtime_counts_only_with_a_real_version() {
        assert!(is_installed_version(Some("131.0.2903.70")));
        assert!(!is_installed_version(None));
        assert!(!is_installed_version(Some("")));
        assert!(!is_installed_version(Some(" ")));
        assert!(!is_installed_version(Some("0.0.0.0")));
    }

    #[test]
    fn the_keys_are_microsofts_for_the_evergreen_runtime() {
        let keys = webview2_keys();
        assert_eq!(
            keys[0],
            (
                true,
                r"SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"
                    .to_owned()
            )
        );
        assert!(keys.iter().any(|(machine, _)| !machine));
    }

    #[test]
    fn the_message_says_what_to_install_in_both_languages() {
        for needle in [
            "WebView2",
            "运行时",
            "信息科",
            "/downloads/",
            "Runtime",
            "IT department",
        ] {
            assert!(WEBVIEW2_MISSING.contains(needle), "{needle}");
        }
    }
}
