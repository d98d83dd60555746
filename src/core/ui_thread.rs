//! A debug check that a frame of the app never makes a blocking call (the
//! keyring talks D-Bus; workspace and history calls touch the disk): the
//! app marks its frames, and blocking calls assert they are not inside one.
//! A plain thread-local flag: no GUI type, so the core may use it.

use std::cell::Cell;

thread_local! {
    static IN_FRAME: Cell<bool> = const { Cell::new(false) };
}

/// Marks the current thread as drawing a frame until the guard is dropped.
pub struct FrameGuard(());

impl FrameGuard {
    pub fn enter() -> FrameGuard {
        IN_FRAME.with(|f| f.set(true));
        FrameGuard(())
    }
}

impl Drop for FrameGuard {
    fn drop(&mut self) {
        IN_FRAME.with(|f| f.set(false));
    }
}

/// Panics in debug builds when called while a frame is being drawn.
pub fn assert_not_in_frame(what: &str) {
    debug_assert!(
        !IN_FRAME.with(Cell::get),
        "{what} called while the app draws a frame: run it in the background"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "while the app draws a frame")]
    fn a_blocking_call_inside_a_frame_panics() {
        let _frame = FrameGuard::enter();
        assert_not_in_frame("the OS keyring");
    }

    #[test]
    fn outside_a_frame_it_is_fine() {
        drop(FrameGuard::enter());
        assert_not_in_frame("the OS keyring");
    }
}
