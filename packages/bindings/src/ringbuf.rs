//! The ring buffer consumer (libbpf.h bpfhost_ring_buffer__*).
//!
//! `poll` waits off the JS thread, on the tokio blocking pool (not libuv's
//! four-thread pool, which a few long waits would starve of file system
//! work). It waits in slices of at most POLL_SLICE_MS with
//! bpfhost_ringbuf_wait() on the consumer's own map handle and checks a
//! closed flag between slices, so close() never blocks the event loop and a
//! pending poll settles (with no records) within one slice. The C consumer
//! lives in an Arc shared by the JS object and each pending poll: it is
//! freed, and its map handle closed, when the last of them lets go.

use std::os::raw::{c_int, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::consumer::{constructor_error, open_or_closed, poll_off_thread, wait_in_slices};
use crate::convert::{i32_arg, u32_arg};
use crate::error::CError;
use crate::sys;

// close() wakes a waiting poll at once (bpfhost_ringbuf_wake_all); the
// slice (consumer::POLL_SLICE_MS) only bounds the rare race where the wake
// lands between the poll's closed check and its wait.

/// Records the sample callback collects, guarded by Shared::lock.
type Sink = Vec<Vec<u8>>;

struct Shared {
  rb: *mut sys::RingBuffer,
  /// The callback's ctx (a Box'ed Sink); written only while `lock` is held.
  sink: *mut Sink,
  /// One consume at a time (the C consumer is single-threaded).
  lock: Mutex<()>,
  closed: AtomicBool,
  /// The consumer's own map handle (open until `rb` is freed).
  map_fd: c_int,
}

// SAFETY: rb and sink are only touched under `lock` (or in Drop, when no
// other reference exists); bpfhost_ringbuf_wait() is thread-safe.
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

impl Drop for Shared {
  fn drop(&mut self) {
    // SAFETY: last reference: nothing else uses rb or sink.
    unsafe {
      sys::bpfhost_ring_buffer__free(self.rb);
      drop(Box::from_raw(self.sink));
    }
  }
}

unsafe extern "C" fn sample(ctx: *mut c_void, data: *mut c_void, size: usize) -> c_int {
  // SAFETY: ctx is Shared::sink, used under Shared::lock by the consume that
  // called us; data has size bytes for this call.
  let sink = unsafe { &mut *(ctx as *mut Sink) };
  let bytes = if size == 0 {
    Vec::new()
  } else {
    unsafe { std::slice::from_raw_parts(data as *const u8, size) }.to_vec()
  };
  sink.push(bytes);
  0
}

impl Shared {
  /// Consumes up to @max records available now.
  fn consume(&self, max: usize) -> std::result::Result<Sink, CError> {
    let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
    // SAFETY: under the lock; rb is live while self is.
    let ret = unsafe { sys::bpfhost_ring_buffer__consume_n(self.rb, max) };
    // SAFETY: under the lock, nobody else touches the sink.
    let records = std::mem::take(unsafe { &mut *self.sink });
    if ret < 0 {
      return Err(CError::last(ret));
    }
    Ok(records)
  }

  /// Waits up to @timeout_ms (< 0: no limit) for records and consumes them;
  /// returns no records on timeout or when the consumer is closed.
  fn poll(&self, timeout_ms: i32) -> std::result::Result<Sink, CError> {
    let got = wait_in_slices(&self.closed, timeout_ms, |slice| {
      // SAFETY: map_fd stays open while self lives.
      let ready = unsafe { sys::bpfhost_ringbuf_wait(self.map_fd, slice) };
      if ready < 0 {
        return Err(CError::last(ready));
      }
      if ready == 0 || self.closed.load(Ordering::Acquire) {
        return Ok(None);
      }
      let records = self.consume(usize::MAX)?;
      Ok((!records.is_empty()).then_some(records))
    })?;
    Ok(got.unwrap_or_default())
  }
}

/// A consumer of a BPF_MAP_TYPE_RINGBUF map's records.
#[napi(js_name = "RingBufferConsumer")]
pub struct RingBufferConsumer {
  shared: Option<Arc<Shared>>,
}

impl RingBufferConsumer {
  fn shared(&self, env: &Env, op: &str) -> Result<Arc<Shared>> {
    open_or_closed(env, &self.shared, "RingBufferConsumer", op)
  }
}

fn to_buffers(records: Sink) -> Vec<Buffer> {
  records.into_iter().map(Buffer::from).collect()
}

#[napi]
impl RingBufferConsumer {
  /// bpfhost_ring_buffer__new() on ring buffer map @mapFd (the consumer takes
  /// its own handle to the map: closing @mapFd later is safe).
  #[napi(constructor)]
  pub fn new(env: Env, map_fd: f64) -> Result<Self> {
    let map_fd = i32_arg(&env, "RingBufferConsumer", "mapFd", map_fd)?;
    let sink = Box::into_raw(Box::<Sink>::default());
    // SAFETY: sample matches the callback type; sink outlives the consumer.
    let rb =
      unsafe { sys::bpfhost_ring_buffer__new(map_fd, sample, sink.cast(), std::ptr::null()) };
    if rb.is_null() {
      let err = constructor_error();
      // SAFETY: sink was never handed out.
      drop(unsafe { Box::from_raw(sink) });
      return Err(err.into_napi(&env));
    }
    // SAFETY: rb is live.
    let own_fd = unsafe { sys::bpfhost_ring_buffer__map_fd(rb) };
    Ok(RingBufferConsumer {
      shared: Some(Arc::new(Shared {
        rb,
        sink,
        lock: Mutex::new(()),
        closed: AtomicBool::new(false),
        map_fd: own_fd,
      })),
    })
  }

  /// bpfhost_ring_buffer__consume_n(): the records available now (at most
  /// @max), without waiting. Each record is a copy.
  #[napi]
  pub fn consume(&self, env: Env, max: Option<f64>) -> Result<Vec<Buffer>> {
    let max = max
      .map(|m| u32_arg(&env, "RingBufferConsumer.consume", "max", m))
      .transpose()?;
    let shared = self.shared(&env, "consume")?;
    let max = max.map_or(usize::MAX, |m| m as usize);
    shared
      .consume(max)
      .map(to_buffers)
      .map_err(|e| e.into_napi(&env))
  }

  /// Waits up to @timeoutMs (< 0: no limit) off the JS thread for records,
  /// then consumes them all. Resolves with [] on timeout, or when close() is
  /// called while it waits.
  #[napi]
  pub fn poll<'env>(
    &self,
    env: &'env Env,
    timeout_ms: f64,
  ) -> Result<PromiseRaw<'env, Vec<Buffer>>> {
    let timeout_ms = i32_arg(env, "RingBufferConsumer.poll", "timeoutMs", timeout_ms)?;
    let shared = self.shared(env, "poll")?;
    poll_off_thread(env, shared, move |s| s.poll(timeout_ms), to_buffers)
  }

  /// Frees the consumer (at once, or when a pending poll settles). Idempotent.
  #[napi]
  pub fn close(&mut self) {
    if let Some(shared) = self.shared.take() {
      shared.closed.store(true, Ordering::Release);
      // A poll waiting in the core returns now, sees `closed` and resolves.
      // SAFETY: map_fd stays open until the last reference to shared drops.
      unsafe { sys::bpfhost_ringbuf_wake_all(shared.map_fd) };
    }
  }
}
