//! The guard of the core's lock. Besides the lock it holds a token that
//! forbids rendering a page on this thread while the lock is held
//! (`amtshilfe_dashboard::render_check`): pages copy what they show under
//! the lock and render after it is released, and a page that renders
//! under it panics in debug builds (every test) instead of quietly making
//! sync and every other request wait for its HTML.

use std::ops::{Deref, DerefMut};
use std::sync::MutexGuard;

use amtshilfe_dashboard::render_check::{RenderingForbidden, forbid_rendering};

use crate::core::Core;

/// The locked core (see the module documentation).
#[derive(Debug)]
pub struct CoreGuard<'a> {
    // Declared first so that the lock is released before the token ends.
    core: MutexGuard<'a, Core>,
    _no_rendering: RenderingForbidden,
}

impl<'a> CoreGuard<'a> {
    pub(crate) fn new(core: MutexGuard<'a, Core>) -> Self {
        Self {
            core,
            _no_rendering: forbid_rendering(),
        }
    }
}

impl Deref for CoreGuard<'_> {
    type Target = Core;

    fn deref(&self) -> &Core {
        &self.core
    }
}

impl DerefMut for CoreGuard<'_> {
    fn deref_mut(&mut self) -> &mut Core {
        &mut self.core
    }
}
