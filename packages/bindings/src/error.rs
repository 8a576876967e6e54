//! Errors: a negative errno from the C library becomes a JS `Error` whose
//! `code` is the errno's name ('ENOENT'), `errno` the positive number and
//! `message` the library's bpfhost_last_error() text of the failed call.

use std::ffi::CStr;
use std::os::raw::c_int;

use napi::bindgen_prelude::*;

use crate::sys;

/// Linux errno numbers and names (asm-generic/errno*.h), plus ENOTSUPP (524),
/// which bpf(2) callers see.
const NAMES: &[(c_int, &str)] = &[
  (1, "EPERM"),
  (2, "ENOENT"),
  (3, "ESRCH"),
  (4, "EINTR"),
  (5, "EIO"),
  (6, "ENXIO"),
  (7, "E2BIG"),
  (8, "ENOEXEC"),
  (9, "EBADF"),
  (10, "ECHILD"),
  (11, "EAGAIN"),
  (12, "ENOMEM"),
  (13, "EACCES"),
  (14, "EFAULT"),
  (16, "EBUSY"),
  (17, "EEXIST"),
  (18, "EXDEV"),
  (19, "ENODEV"),
  (20, "ENOTDIR"),
  (21, "EISDIR"),
  (22, "EINVAL"),
  (23, "ENFILE"),
  (24, "EMFILE"),
  (25, "ENOTTY"),
  (27, "EFBIG"),
  (28, "ENOSPC"),
  (30, "EROFS"),
  (31, "EMLINK"),
  (32, "EPIPE"),
  (33, "EDOM"),
  (34, "ERANGE"),
  (35, "EDEADLK"),
  (36, "ENAMETOOLONG"),
  (38, "ENOSYS"),
  (39, "ENOTEMPTY"),
  (40, "ELOOP"),
  (61, "ENODATA"),
  (62, "ETIME"),
  (67, "ENOLINK"),
  (71, "EPROTO"),
  (74, "EBADMSG"),
  (75, "EOVERFLOW"),
  (84, "EILSEQ"),
  (95, "EOPNOTSUPP"),
  (110, "ETIMEDOUT"),
  (114, "EALREADY"),
  (115, "EINPROGRESS"),
  (125, "ECANCELED"),
  (524, "ENOTSUPP"),
];

pub const ENOENT: c_int = 2;
pub const EBADF: c_int = 9;
pub const ENOMEM: c_int = 12;
pub const EINVAL: c_int = 22;

/// The errno's name, or "E<number>" for one not in the table.
pub fn errno_name(errno: c_int) -> String {
  NAMES
    .iter()
    .find(|(n, _)| *n == errno)
    .map(|(_, name)| (*name).to_string())
    .unwrap_or_else(|| format!("E{errno}"))
}

/// A failed call: its errno (positive) and message. Plain data, so it can be
/// made on a worker thread and turned into a JS error on the JS thread.
#[derive(Debug, Clone)]
pub struct CError {
  pub errno: c_int,
  pub message: String,
  /// A program load's log, set as the error's `log` property.
  pub log: Option<String>,
}

impl CError {
  /// From a negative return value, with the calling thread's last error
  /// message (strerror when the library left none).
  pub fn last(ret: c_int) -> Self {
    let errno = ret.checked_neg().filter(|e| *e > 0).unwrap_or(EINVAL);
    // SAFETY: bpfhost_last_error() returns a NUL-terminated thread-local string.
    let msg = unsafe { CStr::from_ptr(sys::bpfhost_last_error()) }
      .to_string_lossy()
      .into_owned();
    let message = if msg.is_empty() { strerror(errno) } else { msg };
    CError {
      errno,
      message,
      log: None,
    }
  }

  /// An error the binding itself detects (a Buffer of the wrong size...).
  pub fn new(errno: c_int, message: impl Into<String>) -> Self {
    CError {
      errno,
      message: message.into(),
      log: None,
    }
  }

  /// The JS error: `Error` with `code`, `errno` and `message`.
  pub fn into_napi(self, env: &Env) -> Error {
    let code = errno_name(self.errno);
    let fallback = Error::new(Status::GenericFailure, format!("{code}: {}", self.message));
    let Ok(mut obj) = env.create_error(Error::new(Status::GenericFailure, self.message.clone()))
    else {
      return fallback;
    };
    if obj.set("code", code).is_err() || obj.set("errno", self.errno).is_err() {
      return fallback;
    }
    if let Some(log) = self.log {
      if obj.set("log", log).is_err() {
        return fallback;
      }
    }
    Error::from(obj.to_unknown())
  }
}

fn strerror(errno: c_int) -> String {
  // SAFETY: strerror returns a NUL-terminated string; it is copied at once.
  unsafe { CStr::from_ptr(sys::strerror(errno)) }
    .to_string_lossy()
    .into_owned()
}

/// Result of a C call that returns >= 0 on success or a negative errno.
pub fn check(env: &Env, ret: c_int) -> Result<c_int> {
  if ret < 0 {
    Err(CError::last(ret).into_napi(env))
  } else {
    Ok(ret)
  }
}

/// An error the binding detects itself (bad argument) as a JS error.
pub fn invalid(env: &Env, message: impl Into<String>) -> Error {
  CError::new(EINVAL, message).into_napi(env)
}
