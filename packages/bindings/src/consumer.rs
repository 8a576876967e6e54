//! What the ring buffer and perf buffer consumers share: waiting in slices
//! off the JS thread, so that close() settles a pending poll within one
//! slice and the event loop never blocks.

use std::os::raw::c_int;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use napi::bindgen_prelude::*;

use crate::error::{CError, EBADF};

/// Longest single wait: the bound on how long a poll may outlive close().
pub const POLL_SLICE_MS: c_int = 50;

/// Calls @step with the slice to wait (ms, at most POLL_SLICE_MS) until it
/// yields something, @timeout_ms (< 0: no limit) passes or @closed is set;
/// None on timeout or close.
pub fn wait_in_slices<T>(
  closed: &AtomicBool,
  timeout_ms: i32,
  mut step: impl FnMut(c_int) -> std::result::Result<Option<T>, CError>,
) -> std::result::Result<Option<T>, CError> {
  let deadline =
    (timeout_ms >= 0).then(|| Instant::now() + Duration::from_millis(timeout_ms as u64));
  loop {
    if closed.load(Ordering::Acquire) {
      return Ok(None);
    }
    let slice = deadline.map_or(POLL_SLICE_MS, |d| {
      (d.saturating_duration_since(Instant::now()).as_millis() as c_int).min(POLL_SLICE_MS)
    });
    if let Some(got) = step(slice)? {
      return Ok(Some(got));
    }
    if deadline.is_some_and(|d| Instant::now() >= d) {
      return Ok(None);
    }
  }
}

/// The consumer's shared state, or EBADF naming @class.@op once it is closed.
pub fn open_or_closed<S>(
  env: &Env,
  shared: &Option<Arc<S>>,
  class: &str,
  op: &str,
) -> Result<Arc<S>> {
  shared.clone().ok_or_else(|| {
    CError::new(EBADF, format!("{class}.{op}: the consumer is closed")).into_napi(env)
  })
}

/// Runs @poll on the tokio blocking pool and settles the promise on the JS
/// thread with @convert of its result (a CError becomes a JS error there).
pub fn poll_off_thread<'env, S, T, R>(
  env: &'env Env,
  shared: Arc<S>,
  poll: impl FnOnce(&S) -> std::result::Result<T, CError> + Send + 'static,
  convert: impl FnOnce(T) -> R + 'static,
) -> Result<PromiseRaw<'env, R>>
where
  S: Send + Sync + 'static,
  T: Send + 'static,
  R: ToNapiValue + 'static,
{
  let fut = async move {
    napi::tokio::task::spawn_blocking(move || poll(&shared))
      .await
      .map_err(|e| Error::new(Status::GenericFailure, format!("poll worker failed: {e}")))
  };
  env.spawn_future_with_callback(fut, move |env, outcome| match outcome {
    Ok(got) => Ok(convert(got)),
    Err(e) => Err(e.into_napi(env)),
  })
}

/// The error of a C constructor that returned NULL (the core set errno and its message).
pub fn constructor_error() -> CError {
  let errno = std::io::Error::last_os_error()
    .raw_os_error()
    .unwrap_or(EBADF);
  CError::last(-errno)
}
