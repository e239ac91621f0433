//! Owner-only files and directories for what the server keeps on disk: the data directory
//! (0700), the SQLite database (0600; SQLite gives its -wal and -shm files the database file's
//! mode) and the signing key (0600, `signing`).
//!
//! The modes are set where each thing is created rather than by a process umask of 0077: the
//! umask is process-wide state that `main` would have to set before anything else runs, and it
//! would not cover the library (tests, embedders) at all. A mode given to `mkdir`/`open` is still
//! reduced by the umask, which can only take permissions away, so the result is owner-only
//! whatever the umask. Existing files and directories keep the mode their operator gave them.

use std::fs::{DirBuilder, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

/// Creates `dir` and any missing parents with mode 0700.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// Creates `path` as an empty file with mode 0600 unless it exists (another process may have
/// created it a moment ago: that is fine).
pub fn create_private_file(path: &Path) -> std::io::Result<()> {
    match OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}
