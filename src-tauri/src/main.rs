// A release build on Windows is a GUI program: without this, Windows opens
// a console window behind Rounds. Debug builds keep the console for logs;
// errors at start-up are shown in a message box (startup::fail).
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

fn main() {
    rounds_desktop::run()
}
