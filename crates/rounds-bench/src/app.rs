//! The desktop app as a teacher meets it: the release build under Xvfb,
//! driven by WebDriver through ui/e2e/appbench.e2e.ts (the same script
//! `make test` runs small). This part prepares nothing the script cannot
//! see: it hands over the client store's 10,000-document library, runs
//! the script and renders the JSON it writes. What the figures mean is
//! said in the script's opening comment.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::measure::{bytes, percentile};
use crate::targets::met;

/// How long the measured editing lasts in `make bench`, and how many
/// searches come before it. `--app-only SECONDS` runs the longer soak.
pub const EDIT_SECONDS: u64 = 120;
pub const SEARCHES: usize = 200;

/// What the app part needs, or why it cannot run.
fn prerequisites() -> Result<(PathBuf, PathBuf), String> {
    if std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
        return Err("no display: `make bench` runs the benchmark under xvfb-run".into());
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let bin_dir = exe
        .parent()
        .ok_or("the benchmark's own directory is unknown")?
        .to_owned();
    for b in ["rounds-desktop", "rounds"] {
        if !bin_dir.join(b).is_file() {
            return Err(format!(
                "{b} is not built beside rounds-bench in {} (`make bench` builds it)",
                bin_dir.display()
            ));
        }
    }
    let ui = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui");
    if !ui.join("node_modules/.bin/vitest").is_file() {
        return Err("ui/node_modules is missing (`make ui` installs it)".into());
    }
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
    };
    if !on_path("tauri-driver") || !on_path("WebKitWebDriver") {
        return Err(
            "tauri-driver or WebKitWebDriver is not installed (`make bench` installs them)".into(),
        );
    }
    Ok((bin_dir, ui))
}

/// Runs the script on `library` (a store with documents and a name) and
/// returns its figures.
pub fn run(library: &Path, edit_seconds: u64, searches: usize) -> Result<Value, String> {
    let (bin_dir, ui) = prerequisites()?;
    let out = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    let run = Command::new(ui.join("node_modules/.bin/vitest"))
        .current_dir(&ui)
        .args([
            "run",
            "--config",
            "vitest.e2e.config.ts",
            "e2e/appbench.e2e.ts",
        ])
        .env("E2E_BIN_DIR", &bin_dir)
        .env("APPBENCH_OUT", out.path())
        .env("APPBENCH_DATA", library)
        .env("APPBENCH_SEARCHES", searches.to_string())
        .env("APPBENCH_EDIT_SECONDS", edit_seconds.to_string())
        .env(
            "APPBENCH_SAMPLE_SECONDS",
            (edit_seconds / 24).max(5).to_string(),
        )
        .env("APPBENCH_COLD", "1")
        .env("APPBENCH_COMPOSITED", "1")
        // Plain text for the report, should the script fail.
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| format!("cannot run the app script: {e}"))?;
    let text = std::fs::read_to_string(out.path()).unwrap_or_default();
    if !run.status.success() || text.is_empty() {
        // Vitest prints the failure's message and place to stdout before
        // its summary; its last lines of stderr say what else went wrong.
        let log = format!(
            "{}\n{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        let log = log
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.contains("Start at") && !l.contains("Duration"))
            .collect::<Vec<_>>();
        let tail: Vec<&str> = log.into_iter().rev().take(40).collect();
        return Err(format!(
            "the app script failed ({}): {}",
            run.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ));
    }
    let mut v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    // The app's own share of a save, without WebKit and the IPC.
    let mut t = app_saves(RUST_SAVES)?;
    t.sort();
    let at = |p: f64| percentile(&t, p).as_secs_f64() * 1e3;
    v["rust_saves"] = serde_json::json!({
        "n": t.len(),
        "p50": at(50.0),
        "p99": at(99.0),
        "max": at(100.0),
    });
    Ok(v)
}

/// Saves timed through the app's logic alone.
const RUST_SAVES: usize = 100;

fn f(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or(f64::NAN)
}

fn mb(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN) / (1024.0 * 1024.0)
}

/// One memory sample as "RSS MB (PSS MB)".
fn mem(v: &Value) -> String {
    format!("{:.0} MB ({:.0} MB)", mb(&v["rss"]), mb(&v["pss"]))
}

/// Each process's share of a sample: "WebKitWebProcess 180 MB, …" (PSS).
fn procs(v: &Value) -> String {
    let mut by_name: Vec<(String, f64)> = Vec::new();
    for p in v["procs"].as_array().into_iter().flatten() {
        let name = p["name"].as_str().unwrap_or("?").to_owned();
        match by_name.iter_mut().find(|(n, _)| *n == name) {
            Some(e) => e.1 += mb(&p["pss"]),
            None => by_name.push((name, mb(&p["pss"]))),
        }
    }
    by_name.sort_by(|a, b| b.1.total_cmp(&a.1));
    by_name
        .iter()
        .map(|(n, m)| format!("{n} {m:.0} MB"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The largest growth over the editing samples, from the first, in MB of PSS.
fn editing_growth(v: &Value) -> (f64, f64) {
    let pss: Vec<f64> = v["samples"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| mb(&s["pss"]))
        .collect();
    let first = pss.first().copied().unwrap_or(f64::NAN);
    let last = pss.last().copied().unwrap_or(f64::NAN);
    (first, last)
}

/// The section of the report.
pub fn render(o: &mut String, r: &Result<Value, String>) {
    let v = match r {
        Ok(v) => v,
        Err(e) => {
            let _ = writeln!(o, "\n## Desktop app\n\nNot measured: {e}.");
            return;
        }
    };
    let _ = writeln!(o, "\n## Desktop app, {} documents\n", v["docs"]);
    let _ = writeln!(
        o,
        "The release app under Xvfb (1366×768), driven by WebDriver (ui/e2e/appbench.e2e.ts) on the client store's library with one more lesson plan whose 学情分析 field holds {} of text. Memory is the whole process tree: the app and every process it started (WebKit's web and network processes), as the sum of resident sizes (RSS) and, in brackets, of proportional sizes (PSS: a page shared by several of these processes counted once in all), each after 4 s idle. Cold launch: the app's files, every library it and WebKit's processes load (`ldd`), WebKit's helpers, the fonts and the library dropped from the page cache first (`dd iflag=nocache`). WebKit's floor is the same app on the same library showing an empty page (`ROUNDS_BLANK_PAGE=1`).\n",
        bytes(v["big_field_bytes"].as_u64().unwrap_or(0)),
    );
    let _ = writeln!(o, "| measure | value |\n|---|---|");
    if let Some(c) = v["cold_launch_ms"].as_f64() {
        let _ = writeln!(
            o,
            "| launch to library shown, cold page cache | {c:.0} ms |"
        );
    }
    let _ = writeln!(
        o,
        "| launch to library shown, warm | {:.0} ms |",
        f(v, "warm_launch_ms")
    );
    let _ = writeln!(
        o,
        "| WebKit's floor: the same app showing an empty page | {} — {} |",
        mem(&v["floor"]),
        procs(&v["floor"])
    );
    let _ = writeln!(
        o,
        "| library shown | {} — {} |",
        mem(&v["library"]),
        procs(&v["library"])
    );
    let above = mb(&v["library"]["pss"]) - mb(&v["floor"]["pss"]);
    let _ = writeln!(o, "| ↳ Rounds above WebKit's floor (PSS) | {above:.0} MB |");
    let _ = writeln!(
        o,
        "| after {} searches ({:.1} s, typed into the search box, each waited for on screen) | {} |",
        v["searches"],
        f(v, "searches_ms") / 1000.0,
        mem(&v["after_searches"])
    );
    let _ = writeln!(
        o,
        "| after {:.0} s of editing ({} keystrokes into the middle of the long field, the document reopened every 30 s) | {} — {} |",
        f(v, "edit_seconds"),
        v["typed"],
        mem(&v["after_editing"]),
        procs(&v["after_editing"])
    );
    let (first, last) = editing_growth(v);
    let _ = writeln!(
        o,
        "| ↳ while editing, first sample → last (PSS, {} samples) | {first:.0} → {last:.0} MB |",
        v["samples"].as_array().map_or(0, Vec::len)
    );
    let field = bytes(v["big_field_bytes"].as_u64().unwrap_or(0));
    let rows: [(String, &str, &[&str]); 5] = [
        (
            format!(
                "keystroke to screen in the {field} field, p50 / p95 / p99 / max ({} keystrokes)",
                v["keys"]["n"]
            ),
            "keys",
            &["p50", "p95", "p99", "max"],
        ),
        (
            format!(
                "↳ floor: WebKit laying that field out again after one character (in the page, {} times), p50 / p99",
                v["layout_floor"]["n"]
            ),
            "layout_floor",
            &["p50", "p99"],
        ),
        (
            format!(
                "↳ floor: keystroke to screen in the one-line title ({} keystrokes), p50 / p99",
                v["short_keys"]["n"]
            ),
            "short_keys",
            &["p50", "p99"],
        ),
        (
            format!(
                "save of that field (`edit_doc_at` round trip as the page sees it), p50 / p99 / max ({} saves)",
                v["saves"]["n"]
            ),
            "saves",
            &["p50", "p99", "max"],
        ),
        (
            format!(
                "↳ of which the app's logic (`rounds_app::App::edit_at` alone, no WebKit or IPC, {} saves of one character into the middle), p50 / p99",
                v["rust_saves"]["n"]
            ),
            "rust_saves",
            &["p50", "p99"],
        ),
    ];
    for (what, key, stats) in rows {
        let values: Vec<String> = stats
            .iter()
            .map(|k| format!("{:.1}", f(&v[key], k)))
            .collect();
        let _ = writeln!(o, "| {what} | {} ms |", values.join(" / "));
    }
    composited(o, v);
}

/// The rows of the shorter pass in WebKit's compositing mode (its default,
/// which src-tauri turns off), beside the figures above.
fn composited(o: &mut String, v: &Value) {
    let c = &v["composited"];
    if !c.is_object() {
        return;
    }
    let _ = writeln!(
        o,
        "\nFor comparison, the same app in WebKit's compositing mode, WebKit's default, which Rounds turns off (`ROUNDS_WEBKIT_COMPOSITING=1` keeps it; src-tauri/src/startup.rs): a shorter pass in the same run.\n"
    );
    let _ = writeln!(
        o,
        "| measure | compositing mode | Rounds as it runs, without it |\n|---|---|---|"
    );
    let _ = writeln!(
        o,
        "| launch to library shown, warm | {:.0} ms | {:.0} ms |",
        f(c, "warm_launch_ms"),
        f(v, "warm_launch_ms")
    );
    let _ = writeln!(
        o,
        "| library shown | {} | {} |",
        mem(&c["library"]),
        mem(&v["library"])
    );
    let grown = |to: &Value| mb(&to["pss"]) - mb(&c["library"]["pss"]);
    let _ = writeln!(
        o,
        "| after {} searches | {} ({:+.0} MB PSS) | after {}: {:+.0} MB PSS |",
        c["searches"],
        mem(&c["after_searches"]),
        grown(&c["after_searches"]),
        v["searches"],
        mb(&v["after_searches"]["pss"]) - mb(&v["library"]["pss"]),
    );
    let _ = writeln!(
        o,
        "| after {} keystrokes into the long field | {} — {} | |",
        c["keys"]["n"],
        mem(&c["after_typing"]),
        procs(&c["after_typing"]),
    );
    let _ = writeln!(
        o,
        "| keystroke to screen in the long field, p50 / p99 / max | {:.1} / {:.1} / {:.1} ms | {:.1} / {:.1} / {:.1} ms |",
        f(&c["keys"], "p50"),
        f(&c["keys"], "p99"),
        f(&c["keys"], "max"),
        f(&v["keys"], "p50"),
        f(&v["keys"], "p99"),
        f(&v["keys"], "max"),
    );
}

/// The app's rows of the targets table, and the reasons for its misses.
pub fn targets(o: &mut String, r: &Result<Value, String>, why: &mut Vec<String>) {
    let v = match r {
        Ok(v) => v,
        Err(_) => {
            let _ = writeln!(
                o,
                "| desktop app: memory, launch, keystroke, save | not measured | **missed** |"
            );
            return;
        }
    };
    let library = mb(&v["library"]["rss"]);
    let library_pss = mb(&v["library"]["pss"]);
    let floor_pss = mb(&v["floor"]["pss"]);
    let _ = writeln!(
        o,
        "| desktop app, {} documents: resident memory under 300 MB after opening the library (whole process tree) | RSS {library:.0} MB, PSS {library_pss:.0} MB (WebKit's floor: PSS {floor_pss:.0} MB) | {} |",
        v["docs"],
        met(library < 300.0)
    );
    if library >= 300.0 {
        why.push(format!(
            "The desktop app holds {library:.0} MB resident ({library_pss:.0} MB counting shared pages once) with the library shown; the same app showing an empty page holds {floor_pss:.0} MB (PSS): {}. That floor is WebKitGTK's own: a web process, a network process and the GTK user interface process with their libraries. Rounds' page adds {:.0} MB above it.",
            procs(&v["floor"]),
            library_pss - floor_pss,
        ));
    }
    let grow_searches = mb(&v["after_searches"]["pss"]) - library_pss;
    let grow_editing = mb(&v["after_editing"]["pss"]) - mb(&v["after_searches"]["pss"]);
    let grow = grow_searches + grow_editing;
    let _ = writeln!(
        o,
        "| no growth beyond 30 MB over {} searches and {:.0} s of editing (PSS) | {grow:+.0} MB ({grow_searches:+.0} searching, {grow_editing:+.0} editing) | {} |",
        v["searches"],
        f(v, "edit_seconds"),
        met(grow <= 30.0)
    );
    if grow > 30.0 {
        why.push(format!(
            "The app grew {grow:.0} MB: {grow_searches:.0} MB over {} searches and {grow_editing:.0} MB over {:.0} s of editing. After editing: {}.",
            v["searches"],
            f(v, "edit_seconds"),
            procs(&v["after_editing"]),
        ));
    }
    if let Some(c) = v["cold_launch_ms"].as_f64() {
        let _ = writeln!(
            o,
            "| launch to library shown on the cold cache: under 1 s | {c:.0} ms (warm {:.0} ms) | {} |",
            f(v, "warm_launch_ms"),
            met(c < 1000.0)
        );
        if c >= 1000.0 {
            why.push(format!(
                "A cold launch took {c:.0} ms against {:.0} ms warm: the difference is reading the app, WebKit and the fonts from disk.",
                f(v, "warm_launch_ms")
            ));
        }
    }
    let p99 = f(&v["keys"], "p99");
    let _ = writeln!(
        o,
        "| keystroke to screen in a 20 KB text field: p99 under 16 ms | {p99:.1} ms | {} |",
        met(p99 < 16.0)
    );
    if p99 >= 16.0 {
        why.push(format!(
            "Keystroke to screen in the {} field: p99 {p99:.1} ms over {} keystrokes (p50 {:.1} ms, max {:.1} ms). WebKit alone takes {:.1} ms (p50; p99 {:.1} ms) to lay the field's text out again after one character, work every keystroke into a single text area of that size needs before its frame; a keystroke into the one-line title reaches the screen in {:.1} ms (p50; p99 {:.1} ms), which is this display's frame pipeline. Next step: a long field edited as paragraphs, so that a keystroke lays out one paragraph instead of the whole text.",
            bytes(v["big_field_bytes"].as_u64().unwrap_or(0)),
            v["keys"]["n"],
            f(&v["keys"], "p50"),
            f(&v["keys"], "max"),
            f(&v["layout_floor"], "p50"),
            f(&v["layout_floor"], "p99"),
            f(&v["short_keys"], "p50"),
            f(&v["short_keys"], "p99"),
        ));
    }
    let save = f(&v["saves"], "p99");
    let _ = writeln!(
        o,
        "| save of an edit to a 20 KB field: under 5 ms (p99 of the round trip the page sees) | {save:.1} ms (p50 {:.1} ms) | {} |",
        f(&v["saves"], "p50"),
        met(save < 5.0)
    );
    if save >= 5.0 {
        why.push(format!(
            "Saving the 20 KB field: p99 {save:.1} ms, p50 {:.1} ms, over {} saves, as the page sees the round trip (which also waits while the page is busy laying out the field). The app's logic alone takes {:.1} ms (p50; p99 {:.1} ms): it edits the document the store kept from the last save (loaded again only when another connection wrote it), splices in only what differs between the text it kept and the text sent, writes the change with fsync, rewrites the document's full-text entries (the whole text, tokenized again) and the other index rows, and returns the view; the texts are read out of Automerge once a save, for the index, the view and the next save's diff. Next step: on the page's side, a long field edited as paragraphs (the round trip waits for the page's layout of the whole text); on the app's, the full-text entries brought up to date after the save returns rather than inside it, so that a save does not tokenize the whole text again.",
            f(&v["saves"], "p50"),
            v["saves"]["n"],
            f(&v["rust_saves"], "p50"),
            f(&v["rust_saves"], "p99"),
        ));
    }
}

/// Saves of a 20 KB field through `rounds_app::App::edit_at`, the call the
/// `edit_doc_at` command makes, without WebKit or the IPC: one character
/// inserted in the middle each time, based on the previous save, with the
/// caret, as the editor sends it. The time of each save.
pub fn app_saves(n: usize) -> Result<Vec<Duration>, String> {
    use rounds_app::{App, Caret, Kind, Language};
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let app = App::open(dir.path()).map_err(|e| e.message)?;
    app.set_name("王老师").map_err(|e| e.message)?;
    let mut text = long_text(20_000);
    let field = "learner_analysis";
    let v = app
        .create(
            Kind::from(rounds_core::schema::DocKind::LESSON_PLAN),
            "新生儿黄疸的识别与光疗指征",
            Language::Zh,
            Some(&serde_json::json!({ field: text })),
        )
        .map_err(|e| e.message)?;
    let id = v.summary.id.clone();
    let mut base = v.heads.clone();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mid = text.chars().count() / 2;
        let at = text.char_indices().nth(mid).map_or(text.len(), |(b, _)| b);
        text.insert(at, if i % 2 == 0 { '黄' } else { 'a' });
        let caret = Caret {
            field: field.to_owned(),
            row: None,
            sub_field: None,
            start: (mid + 1) as u32,
            end: (mid + 1) as u32,
        };
        let t = std::time::Instant::now();
        let saved = app
            .edit_at(
                &id,
                &serde_json::json!({ field: text }),
                &base,
                Some(&caret),
            )
            .map_err(|e| e.message)?;
        out.push(t.elapsed());
        base = saved.change.map_or(saved.view.heads, |c| vec![c]);
    }
    Ok(out)
}

/// About `bytes` bytes of teaching text, numbered so no line repeats
/// (the same kind of text ui/e2e/appbench.e2e.ts types into).
fn long_text(bytes: usize) -> String {
    let parts = [
        "学生已经学过新生儿生理特点，但对胆红素代谢的理解停留在书本层面，",
        "在病房里判断皮肤黄染的范围和进展时常常犹豫不决；",
        "some residents read the hour-specific nomogram well but forget the risk factors that lower the treatment line, ",
        "本节课安排床旁观察、经皮胆红素测定和光疗箱操作三个环节，",
    ];
    let mut s = String::new();
    let mut i = 1;
    while s.len() < bytes {
        s.push_str(&format!("{i}. {}{}\n", parts[i % 4], parts[(i + 2) % 4]));
        i += 1;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sample of the script's figures, as it writes them.
    fn figures() -> Value {
        let mem = |rss: u64, pss: u64| {
            serde_json::json!({ "rss": rss << 20, "pss": pss << 20, "procs": [
                { "pid": 1, "name": "rounds-desktop", "rss": (rss / 3) << 20, "pss": (pss / 3) << 20 },
                { "pid": 2, "name": "WebKitWebProces", "rss": (rss - rss / 3) << 20, "pss": (pss - pss / 3) << 20 },
            ]})
        };
        let stats = |n: u64, p50: f64, p99: f64| serde_json::json!({ "n": n, "p50": p50, "p95": p99 - 1.0, "p99": p99, "max": p99 + 1.0 });
        serde_json::json!({
            "docs": 10001, "big_field_bytes": 20000, "cold_launch_ms": 1400.0, "warm_launch_ms": 900.0,
            "library": mem(500, 350), "searches": 200, "searches_ms": 60000.0, "after_searches": mem(520, 360),
            "edit_seconds": 120, "typed": 800, "samples": [{ "s": 0.1, "rss": 530u64 << 20, "pss": 362u64 << 20 }],
            "after_editing": mem(540, 370), "floor": mem(440, 270),
            "keys": stats(800, 33.0, 240.0), "layout_floor": stats(40, 29.0, 43.0), "short_keys": stats(40, 13.0, 45.0),
            "saves": stats(42, 96.0, 216.0), "rust_saves": stats(100, 24.5, 40.0),
            "composited": { "warm_launch_ms": 1100.0, "library": mem(560, 380), "searches": 50,
                "after_searches": mem(600, 420), "keys": stats(100, 42.0, 900.0), "after_typing": mem(640, 450) },
        })
    }

    #[test]
    fn every_figure_reaches_the_report_and_every_target_its_verdict() {
        let r = Ok(figures());
        let mut o = String::new();
        render(&mut o, &r);
        for row in [
            "| launch to library shown, cold page cache | 1400 ms |",
            "| ↳ Rounds above WebKit's floor (PSS) | 80 MB |",
            "| keystroke to screen in the 19.5 KB field, p50 / p95 / p99 / max (800 keystrokes) | 33.0 / 239.0 / 240.0 / 241.0 ms |",
            "| ↳ floor: WebKit laying that field out again after one character (in the page, 40 times), p50 / p99 | 29.0 / 43.0 ms |",
            "(40 keystrokes), p50 / p99 | 13.0 / 45.0 ms |",
            "p50 / p99 / max (42 saves) | 96.0 / 216.0 / 217.0 ms |",
            "100 saves of one character into the middle), p50 / p99 | 24.5 / 40.0 ms |",
            "| library shown | 560 MB (380 MB) | 500 MB (350 MB) |",
            "| after 50 searches | 600 MB (420 MB) (+40 MB PSS) | after 200: +10 MB PSS |",
            "| keystroke to screen in the long field, p50 / p99 / max | 42.0 / 900.0 / 901.0 ms | 33.0 / 240.0 / 241.0 ms |",
        ] {
            assert!(o.contains(row), "missing “{row}”:\n{o}");
        }
        let mut t = String::new();
        let mut why = Vec::new();
        targets(&mut t, &r, &mut why);
        // Memory, launch, keystroke and save miss, each with its reason;
        // +10 MB searching and +10 MB editing are within the 30 MB allowed.
        assert_eq!(t.matches("**missed**").count(), 4, "{t}");
        assert!(
            t.contains("| +20 MB (+10 searching, +10 editing) | **met** |"),
            "{t}"
        );
        assert_eq!(why.len(), 4, "{why:?}");
        assert!(
            why.iter().any(|w| w.contains("WebKit alone takes 29.0 ms")),
            "{why:?}"
        );
    }
}
