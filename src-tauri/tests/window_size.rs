//! The first window fits the screen it opens on, so the status bar at its
//! bottom is visible on the 1366×768 screens of older PCs.

use rounds_desktop::first_window_size;

#[test]
fn a_large_screen_gets_the_preferred_size() {
    assert_eq!(first_window_size((1920.0, 1040.0)), (1200.0, 820.0));
}

#[test]
fn a_1366_by_768_screen_gets_a_window_that_fits_with_its_frame() {
    // The work area of a 1366×768 screen with a 30-pixel panel.
    let (w, h) = first_window_size((1366.0, 738.0));
    assert_eq!(w, 1200.0);
    assert!(h + 48.0 <= 738.0, "{h}");
    assert!(h >= 520.0, "{h}");
}

#[test]
fn a_tiny_screen_still_gets_the_smallest_usable_size() {
    assert_eq!(first_window_size((640.0, 480.0)), (760.0, 520.0));
}
