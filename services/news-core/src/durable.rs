//! Replacing a state file so that a crash or a power cut leaves either the
//! old file or the new one whole: the new bytes are written to a temporary
//! file and flushed to disk, renamed over the old file, and the directory
//! is flushed too, so that the rename itself is on disk.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

/// Rename the flushed temporary file `tmp` over `path`, and flush the
/// directory that holds them.
pub fn replace_with(tmp: &Path, path: &Path) -> io::Result<()> {
    std::fs::rename(tmp, path)?;
    sync_dir_of(path)
}

/// Write `bytes` as the new content of `path` (through `path` with the
/// extension `tmp_extension` beside it).
pub fn write_file(path: &Path, tmp_extension: &str, bytes: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(tmp_extension);
    let mut file = File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    replace_with(&tmp, path)
}

fn sync_dir_of(path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // Opening a directory to flush it works on Unix; elsewhere the rename
    // is as durable as the platform makes it.
    match File::open(dir) {
        Ok(d) => d.sync_all().or_else(|e| match e.kind() {
            io::ErrorKind::PermissionDenied | io::ErrorKind::InvalidInput => Ok(()),
            _ => Err(e),
        }),
        Err(e) if cfg!(unix) => Err(e),
        Err(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_and_no_temporary_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state").join("fetcher-state.json");
        write_file(&path, "json.tmp", b"{\"round\": 1}").unwrap();
        write_file(&path, "json.tmp", b"{\"round\": 2}").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"round\": 2}");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["fetcher-state.json"]);
    }

    #[test]
    fn a_file_in_the_working_directory_needs_no_parent() {
        assert!(sync_dir_of(Path::new("relative.bin")).is_ok());
    }
}
