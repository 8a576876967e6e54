//! The perf event array consumer (libbpf.h bpfhost_perf_buffer__*).
//!
//! The C consumer is not thread safe, so every call into it holds
//! Shared::lock. `poll` waits off the JS thread on the tokio blocking pool,
//! in bpfhost_perf_buffer__poll() slices of at most POLL_SLICE_MS, and checks
//! a closed flag between slices: a pending poll settles (with no samples)
//! within one slice of close(). `consume` never waits for the lock: while a
//! poll holds it, it fails with EBUSY instead of blocking the event loop.
//! The consumer lives in an Arc shared by the JS object and each pending
//! poll; it is freed when the last of them lets go.

use std::os::raw::{c_int, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, TryLockError};

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::consumer::{constructor_error, open_or_closed, poll_off_thread, wait_in_slices};
use crate::convert::{i32_arg, u32_arg};
use crate::error::{CError, EINVAL};
use crate::sys;

// Nothing can wake bpfhost_perf_buffer__poll early: a poll outlives close()
// by at most one slice (consumer::POLL_SLICE_MS).
const EBUSY: i32 = 16;

/// What the callbacks collect, guarded by Shared::lock.
#[derive(Default)]
struct Sink {
  samples: Vec<(i32, Vec<u8>)>,
  lost: Vec<(i32, u64)>,
}

struct Shared {
  pb: *mut sys::PerfBuffer,
  /// The callbacks' ctx (a Box'ed Sink); touched only while `lock` is held.
  sink: *mut Sink,
  lock: Mutex<()>,
  closed: AtomicBool,
}

// SAFETY: pb and sink are only touched under `lock` (or in Drop, when no
// other reference exists).
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

impl Drop for Shared {
  fn drop(&mut self) {
    // SAFETY: last reference: nothing else uses pb or sink.
    unsafe {
      sys::bpfhost_perf_buffer__free(self.pb);
      drop(Box::from_raw(self.sink));
    }
  }
}

unsafe extern "C" fn sample(ctx: *mut c_void, cpu: c_int, data: *mut c_void, size: u32) {
  // SAFETY: ctx is Shared::sink, used under Shared::lock by the call that
  // called us; data has size bytes for this call.
  let sink = unsafe { &mut *(ctx as *mut Sink) };
  let bytes = if size == 0 {
    Vec::new()
  } else {
    unsafe { std::slice::from_raw_parts(data as *const u8, size as usize) }.to_vec()
  };
  sink.samples.push((cpu, bytes));
}

unsafe extern "C" fn lost(ctx: *mut c_void, cpu: c_int, cnt: u64) {
  // SAFETY: as in sample().
  let sink = unsafe { &mut *(ctx as *mut Sink) };
  sink.lost.push((cpu, cnt));
}

impl Shared {
  /// Runs @f (a consume or a poll of the C consumer) under the lock and takes what it collected.
  fn run(
    &self,
    f: impl FnOnce(*mut sys::PerfBuffer) -> c_int,
    wait: bool,
  ) -> std::result::Result<Sink, CError> {
    let _guard = if wait {
      self.lock.lock().unwrap_or_else(|p| p.into_inner())
    } else {
      match self.lock.try_lock() {
        Ok(g) => g,
        Err(TryLockError::Poisoned(p)) => p.into_inner(),
        Err(TryLockError::WouldBlock) => {
          return Err(CError::new(
            EBUSY,
            "a poll of the perf buffer is in progress",
          ))
        }
      }
    };
    let ret = f(self.pb);
    // SAFETY: under the lock, nobody else touches the sink.
    let got = std::mem::take(unsafe { &mut *self.sink });
    if ret < 0 {
      return Err(CError::last(ret));
    }
    Ok(got)
  }

  /// Waits up to @timeout_ms (< 0: no limit) for samples (or lost reports);
  /// returns nothing on timeout or when the consumer is closed.
  fn poll(&self, timeout_ms: i32) -> std::result::Result<Sink, CError> {
    let got = wait_in_slices(&self.closed, timeout_ms, |slice| {
      // SAFETY: pb is live while self is; run() holds the lock.
      let got = self.run(
        |pb| unsafe { sys::bpfhost_perf_buffer__poll(pb, slice) },
        true,
      )?;
      Ok((!got.samples.is_empty() || !got.lost.is_empty()).then_some(got))
    })?;
    Ok(got.unwrap_or_default())
  }
}

/// One sample: the slot (CPU) it was written to and its bytes.
#[napi(object)]
pub struct PerfSample {
  pub cpu: i32,
  pub data: Buffer,
}

/// Samples dropped on a slot (CPU) for lack of room, since the last report.
#[napi(object)]
pub struct PerfLost {
  pub cpu: i32,
  pub count: BigInt,
}

/// What one consume or poll collected.
#[napi(object)]
pub struct PerfBatch {
  pub samples: Vec<PerfSample>,
  pub lost: Vec<PerfLost>,
}

fn to_batch(sink: Sink) -> PerfBatch {
  PerfBatch {
    samples: sink
      .samples
      .into_iter()
      .map(|(cpu, data)| PerfSample {
        cpu,
        data: Buffer::from(data),
      })
      .collect(),
    lost: sink
      .lost
      .into_iter()
      .map(|(cpu, cnt)| PerfLost {
        cpu,
        count: BigInt::from(cnt),
      })
      .collect(),
  }
}

/// A consumer of a BPF_MAP_TYPE_PERF_EVENT_ARRAY map's samples.
#[napi(js_name = "PerfBufferConsumer")]
pub struct PerfBufferConsumer {
  shared: Option<Arc<Shared>>,
}

impl PerfBufferConsumer {
  fn shared(&self, env: &Env, op: &str) -> Result<Arc<Shared>> {
    open_or_closed(env, &self.shared, "PerfBufferConsumer", op)
  }
}

#[napi]
impl PerfBufferConsumer {
  /// bpfhost_perf_buffer__new() on perf event array @mapFd with @pageCnt
  /// pages per slot (a power of two).
  #[napi(constructor)]
  pub fn new(env: Env, map_fd: f64, page_cnt: f64) -> Result<Self> {
    let map_fd = i32_arg(&env, "PerfBufferConsumer", "mapFd", map_fd)?;
    let page_cnt = u32_arg(&env, "PerfBufferConsumer", "pageCnt", page_cnt)?;
    if page_cnt == 0 || !page_cnt.is_power_of_two() {
      return Err(
        CError::new(
          EINVAL,
          format!("PerfBufferConsumer: pageCnt must be a power of two, got {page_cnt}"),
        )
        .into_napi(&env),
      );
    }
    let sink = Box::into_raw(Box::<Sink>::default());
    // SAFETY: the callbacks match their types; sink outlives the consumer.
    let pb = unsafe {
      sys::bpfhost_perf_buffer__new(
        map_fd,
        page_cnt as usize,
        sample,
        Some(lost),
        sink.cast(),
        std::ptr::null(),
      )
    };
    if pb.is_null() {
      let err = constructor_error();
      // SAFETY: sink was never handed out.
      drop(unsafe { Box::from_raw(sink) });
      return Err(err.into_napi(&env));
    }
    Ok(PerfBufferConsumer {
      shared: Some(Arc::new(Shared {
        pb,
        sink,
        lock: Mutex::new(()),
        closed: AtomicBool::new(false),
      })),
    })
  }

  /// bpfhost_perf_buffer__consume(): the samples there now, without waiting
  /// (EBUSY while a poll is in progress). Each sample is a copy.
  #[napi]
  pub fn consume(&self, env: Env) -> Result<PerfBatch> {
    let shared = self.shared(&env, "consume")?;
    // SAFETY: pb is live while shared is; run() holds the lock.
    shared
      .run(|pb| unsafe { sys::bpfhost_perf_buffer__consume(pb) }, false)
      .map(to_batch)
      .map_err(|e| e.into_napi(&env))
  }

  /// Waits up to @timeoutMs (< 0: no limit) off the JS thread for samples.
  /// Resolves with an empty batch on timeout, or soon after close().
  #[napi]
  pub fn poll<'env>(&self, env: &'env Env, timeout_ms: f64) -> Result<PromiseRaw<'env, PerfBatch>> {
    let timeout_ms = i32_arg(env, "PerfBufferConsumer.poll", "timeoutMs", timeout_ms)?;
    let shared = self.shared(env, "poll")?;
    poll_off_thread(env, shared, move |s| s.poll(timeout_ms), to_batch)
  }

  /// Frees the consumer (at once, or when a pending poll settles). Idempotent.
  #[napi]
  pub fn close(&mut self) {
    if let Some(shared) = self.shared.take() {
      shared.closed.store(true, Ordering::Release);
    }
  }
}
