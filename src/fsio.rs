//! Reading and replacing files safely: every read is capped and takes regular files only (a
//! FIFO, a device or `/dev/zero` is refused, never read forever); every replacement is atomic,
//! through an unpredictable temporary name that is never a planted symlink, keeping the
//! file's permissions and writing through a symlinked path to its target.

use std::fs::{File, OpenOptions};
use std::io::Read as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

/// Largest configuration file read (a configuration of 50,000 services is about 16 MiB).
pub const MAX_CONFIG_FILE: u64 = 64 << 20;
/// Most bytes of configuration read from one directory (the root's, or a module's).
pub const MAX_CONFIG_DIR: u64 = 96 << 20;
/// Largest variables file read.
pub const MAX_VAR_FILE: u64 = 16 << 20;
/// Largest state, journal, saved plan or pushed state read.
pub const MAX_STATE_FILE: u64 = 1 << 30;

/// A file that cannot be read or written, with a message that names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub path: PathBuf,
    pub message: String,
    /// The file does not exist (callers often treat that as "nothing yet").
    pub not_found: bool,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FileError {}

fn io_error(what: &str, path: &Path, e: &std::io::Error) -> FileError {
    FileError {
        path: path.to_path_buf(),
        message: format!("cannot {what} `{}`: {e}", path.display()),
        not_found: e.kind() == std::io::ErrorKind::NotFound,
    }
}

fn plain(path: &Path, message: String) -> FileError {
    FileError {
        path: path.to_path_buf(),
        message,
        not_found: false,
    }
}

/// Reads at most `cap` bytes of the regular file at `path`; `what` names it in errors
/// (e.g. "the state file").
pub fn read_capped(path: &Path, cap: u64, what: &str) -> Result<Vec<u8>, FileError> {
    let (file, len) = open_capped(path, cap, what)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(&format!("read {what}"), path, &e))?;
    if bytes.len() as u64 > cap {
        return Err(too_big(path, what, cap));
    }
    Ok(bytes)
}

/// Opens a regular file of at most `cap` bytes for reading; with its length.
fn open_capped(path: &Path, cap: u64, what: &str) -> Result<(File, u64), FileError> {
    // O_NONBLOCK: opening a FIFO does not wait for a writer; the type check below refuses it.
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| io_error(&format!("read {what}"), path, &e))?;
    let meta = file
        .metadata()
        .map_err(|e| io_error(&format!("read {what}"), path, &e))?;
    if !meta.is_file() {
        return Err(plain(
            path,
            format!(
                "{what} `{}` is not a regular file; give the path of a file",
                path.display()
            ),
        ));
    }
    if meta.len() > cap {
        return Err(too_big(path, what, cap));
    }
    Ok((file, meta.len()))
}

/// Copies the file at `from` (a regular file of at most `cap` bytes) to `to` as
/// [`write_atomic`] writes, streaming: a large file is never held in memory.
/// The copy gets the source's permissions: a backup of a state readable by its owner only is
/// readable by its owner only.
pub fn copy_capped_atomic(from: &Path, to: &Path, cap: u64, what: &str) -> Result<(), FileError> {
    /// Why a copy stopped on the reading side (the writing side's errors are `write_atomic`'s).
    enum Stop {
        Grew,
        Read(std::io::Error),
    }
    let (mut file, _) = open_capped(from, cap, what)?;
    let bits = {
        use std::os::unix::fs::PermissionsExt as _;
        file.metadata()
            .map_err(|e| io_error(&format!("read {what}"), from, &e))?
            .permissions()
            .mode()
            & 0o7777
    };
    let mut stop = None;
    let copied = write_atomic_as(to, Mode::Exactly(bits), |w| {
        let mut buf = vec![0; 1 << 16];
        let mut total = 0;
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    stop = Some(Stop::Read(e));
                    return Err(std::io::Error::other("the source could not be read"));
                }
            };
            total += n as u64;
            if total > cap {
                // Grown past the cap since it was opened: nothing is replaced.
                stop = Some(Stop::Grew);
                return Err(std::io::Error::other("the source grew too large"));
            }
            w.write_all(&buf[..n])?;
        }
    });
    match (copied, stop) {
        (Err(_), Some(Stop::Grew)) => Err(too_big(from, what, cap)),
        (Err(_), Some(Stop::Read(e))) => Err(io_error(&format!("read {what}"), from, &e)),
        (result, _) => result,
    }
}

fn too_big(path: &Path, what: &str, cap: u64) -> FileError {
    plain(
        path,
        format!(
            "{what} `{}` is larger than {} MiB, the most vpcep reads",
            path.display(),
            cap >> 20
        ),
    )
}

/// [`read_capped`] as UTF-8 text.
pub fn read_text(path: &Path, cap: u64, what: &str) -> Result<String, FileError> {
    let bytes = read_capped(path, cap, what)?;
    String::from_utf8(bytes).map_err(|e| {
        plain(
            path,
            format!(
                "{what} `{}` is not valid UTF-8 (invalid byte at offset {})",
                path.display(),
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// The file a path finally names: a symlinked path is followed to its target (so replacing
/// the file keeps the link), up to 40 links.
pub fn resolve_links(path: &Path) -> Result<PathBuf, FileError> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)
                    .map_err(|e| io_error("follow the link", &current, &e))?;
                current = match current.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(plain(
        path,
        format!("`{}` is a loop of symbolic links", path.display()),
    ))
}

/// Removes the temporary files [`write_atomic`] left beside `target` when a process was
/// killed while writing (`NAME.<16 hex digits>.tmp`, also of `NAME.backup`); only regular
/// files, never a link. The caller must hold what serializes writers of `target` (the state's
/// lock). Returns how many it removed.
pub fn remove_stale_temporaries(target: &Path) -> usize {
    let Some(name) = target.file_name().and_then(|n| n.to_str()) else {
        return 0;
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let ours = |file: &str| -> bool {
        let Some(middle) = file.strip_suffix(".tmp").and_then(|f| f.strip_prefix(name)) else {
            return false;
        };
        let token = middle
            .strip_prefix(".backup.")
            .or_else(|| middle.strip_prefix('.'));
        token.is_some_and(|t| t.len() == 16 && t.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let mut removed = 0;
    for entry in entries.filter_map(Result::ok) {
        let file = entry.file_name();
        let Some(file) = file.to_str() else { continue };
        if ours(file)
            && entry.file_type().is_ok_and(|t| t.is_file())
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// A fresh temporary path beside `target`, hard to guess.
fn temporary_beside(target: &Path) -> PathBuf {
    let mut name = target
        .file_name()
        .map_or_else(|| "vpcep".into(), std::ffi::OsStr::to_os_string);
    name.push(format!(
        ".{}.tmp",
        uuid::Uuid::new_v4()
            .simple()
            .to_string()
            .get(..16)
            .unwrap_or("0")
    ));
    target.with_file_name(name)
}

/// Replaces the file at `path` by `bytes` atomically: a new temporary file in the same
/// directory (created exclusively, so a planted file or symlink is never written through),
/// given the replaced file's permissions, fsynced, renamed over the target, and the directory
/// fsynced. A symlinked `path` keeps its link: the file it points to is replaced.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// [`write_atomic`] of what `write` writes (through a buffer), so that large contents are
/// streamed to the file rather than built in memory first.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), FileError> {
    write_atomic_as(path, Mode::KeepOr(0o666), write)
}

/// The permissions a file written by [`write_atomic_as`] gets.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// The replaced file's; a new file gets these bits (less the umask).
    KeepOr(u32),
    /// These, whatever the replaced file had (a backup takes its original's).
    Exactly(u32),
}

/// [`write_atomic_with`] with the permissions `mode` says. The temporary file is readable by
/// its owner only until it has its final permissions, so no secret is ever readable through
/// it by others.
pub fn write_atomic_as(
    path: &Path,
    mode: Mode,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), FileError> {
    use std::os::unix::fs::PermissionsExt as _;
    let target = resolve_links(path)?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| io_error("create the directory", dir, &e))?;
    }
    let existing = match std::fs::metadata(&target) {
        Ok(meta) if !meta.is_file() => {
            return Err(plain(
                path,
                format!(
                    "`{}` is not a regular file; it is not replaced",
                    path.display()
                ),
            ));
        }
        Ok(meta) => Some(meta.permissions().mode() & 0o7777),
        Err(_) => None,
    };
    let tmp = temporary_beside(&target);
    // A new file's bits go through the umask, as any created file's do; otherwise the
    // temporary file is the owner's alone until it gets the bits it keeps.
    let (create, bits) = match (mode, existing) {
        (Mode::Exactly(bits), _) | (Mode::KeepOr(_), Some(bits)) => (0o600, Some(bits)),
        (Mode::KeepOr(new), None) => (new, None),
    };
    let mut options = OpenOptions::new();
    options
        .write(true)
        .create_new(true)
        .mode(create)
        .custom_flags(libc::O_NOFOLLOW);
    let file: File = options
        .open(&tmp)
        .map_err(|e| io_error("create", &tmp, &e))?;
    let written = (|| {
        if let Some(bits) = bits {
            file.set_permissions(std::fs::Permissions::from_mode(bits))?;
        }
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, file);
        write(&mut buffered)?;
        let file = buffered
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_error("write", &tmp, &e));
    }
    if let Err(e) = std::fs::rename(&tmp, &target) {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_error("replace", &target, &e));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Opens `path` for appending (created if missing, with the permission bits `new_mode`),
/// refusing to follow a symlink planted there.
pub fn open_append(path: &Path, new_mode: u32) -> Result<File, FileError> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(new_mode)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| io_error("open", path, &e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn reads_are_capped_and_take_regular_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; 100]).unwrap();
        assert!(read_capped(&big, 100, "the file").is_ok());
        let err = read_capped(&big, 99, "the file").unwrap_err();
        assert!(err.message.contains("larger than"), "{err}");
        let err = read_capped(Path::new("/dev/zero"), 1 << 20, "the file").unwrap_err();
        assert!(err.message.contains("not a regular file"), "{err}");
        let missing = read_capped(&dir.path().join("nope"), 10, "the file").unwrap_err();
        assert!(missing.not_found);
    }

    #[test]
    fn a_fifo_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let err = read_capped(&fifo, 10, "the state file").unwrap_err();
        assert!(err.message.contains("not a regular file"), "{err}");
    }

    #[test]
    fn replacing_keeps_the_mode_and_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    /// A copy is what was there, streamed; a source past the cap replaces nothing and leaves
    /// no temporary file.
    #[test]
    fn copies_are_capped_and_replace_nothing_when_refused() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("from");
        let to = dir.path().join("to");
        std::fs::write(&from, vec![b'x'; 100]).unwrap();
        std::fs::write(&to, "older").unwrap();
        let err = copy_capped_atomic(&from, &to, 99, "the file").unwrap_err();
        assert!(err.message.contains("larger than"), "{err}");
        assert_eq!(std::fs::read_to_string(&to).unwrap(), "older");
        copy_capped_atomic(&from, &to, 100, "the file").unwrap();
        assert_eq!(std::fs::read(&to).unwrap(), vec![b'x'; 100]);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        let missing = copy_capped_atomic(&dir.path().join("nope"), &to, 10, "the file");
        assert!(missing.unwrap_err().not_found);
    }
}
