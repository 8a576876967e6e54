//! Fast paths for the single-element map calls a loop makes millions of
//! times: `mapLookupElemInto` and `mapUpdateElem`.
//!
//! A `#[napi]` function pays for napi-rs's argument machinery on every call
//! (a native-borrow scope with an allocation and a lock per call, typed
//! conversions): about 120 ns, three times the C call itself. These are raw
//! N-API callbacks instead, installed over the `#[napi]` functions of the
//! same name when the module loads. They handle the common case only (Buffers
//! with data, an optional BigInt flags) and let the C core check the buffers'
//! sizes against the map (the `_sized` calls) in the same command. Anything
//! else (other argument types, any failure but a missing key) is handed to
//! the `#[napi]` function kept as the slow path, so errors, messages and
//! refusals stay exactly those of `map.rs`. Retrying is safe: a refused
//! command changed nothing.
use std::os::raw::c_void;
use std::ptr;

use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;

use crate::error::ENOENT;
use crate::sys as c;

/// Per env: the `#[napi]` function a fast path falls back to.
struct Slow {
  func: sys::napi_ref,
}

const MAX_ARGS: usize = 4;

struct Args {
  argc: usize,
  argv: [sys::napi_value; MAX_ARGS],
  this: sys::napi_value,
  slow: *const Slow,
}

/// Reads the call's arguments; None if N-API refuses (then the slow path decides).
unsafe fn args(env: sys::napi_env, info: sys::napi_callback_info) -> Option<Args> {
  let mut a = Args {
    argc: MAX_ARGS,
    argv: [ptr::null_mut(); MAX_ARGS],
    this: ptr::null_mut(),
    slow: ptr::null(),
  };
  let mut data: *mut c_void = ptr::null_mut();
  let status = sys::napi_get_cb_info(
    env,
    info,
    &mut a.argc,
    a.argv.as_mut_ptr(),
    &mut a.this,
    &mut data,
  );
  a.slow = data as *const Slow;
  (status == sys::Status::napi_ok && !a.slow.is_null()).then_some(a)
}

/// Calls the slow path with the same arguments and returns what it returns
/// (or NULL with its exception pending).
unsafe fn slow_path(env: sys::napi_env, a: &Args) -> sys::napi_value {
  let mut func = ptr::null_mut();
  let mut ret = ptr::null_mut();
  if sys::napi_get_reference_value(env, (*a.slow).func, &mut func) != sys::Status::napi_ok {
    return ptr::null_mut();
  }
  let argc = a.argc.min(MAX_ARGS);
  sys::napi_call_function(env, a.this, func, argc, a.argv.as_ptr(), &mut ret);
  ret
}

/// A Buffer (or other ArrayBufferView) with at least one byte: its data and length.
unsafe fn bytes(env: sys::napi_env, v: sys::napi_value) -> Option<(*mut c_void, u32)> {
  let mut data = ptr::null_mut();
  let mut len = 0usize;
  if sys::napi_get_buffer_info(env, v, &mut data, &mut len) != sys::Status::napi_ok
    || len == 0
    || data.is_null()
  {
    return None;
  }
  Some((data, u32::try_from(len).ok()?))
}

/// The optional flags argument: absent or undefined is 0, a BigInt that fits u64 its value.
unsafe fn flags(env: sys::napi_env, a: &Args, index: usize) -> Option<u64> {
  if a.argc <= index {
    return Some(0);
  }
  let v = a.argv[index];
  let mut t = 0;
  if sys::napi_typeof(env, v, &mut t) != sys::Status::napi_ok {
    return None;
  }
  match t {
    sys::ValueType::napi_undefined => Some(0),
    sys::ValueType::napi_bigint => {
      let mut out = 0u64;
      let mut lossless = false;
      let ok = sys::napi_get_value_bigint_uint64(env, v, &mut out, &mut lossless);
      (ok == sys::Status::napi_ok && lossless).then_some(out)
    }
    _ => None,
  }
}

/// A number that is exactly an int; anything else (2^32 + 3 would wrap to 3
/// in napi_get_value_int32) goes to the slow path, which refuses it.
unsafe fn fd(env: sys::napi_env, v: sys::napi_value) -> Option<i32> {
  let mut d = 0f64;
  if sys::napi_get_value_double(env, v, &mut d) != sys::Status::napi_ok {
    return None;
  }
  let fd = d as i32; // saturating; NaN gives 0, caught by the comparison
  (fd as f64 == d).then_some(fd)
}

unsafe fn boolean(env: sys::napi_env, b: bool) -> sys::napi_value {
  let mut v = ptr::null_mut();
  sys::napi_get_boolean(env, b, &mut v);
  v
}

/// The arguments both element calls take: (fd, key, value, flags?), as C pointers and sizes.
struct ElemCall {
  fd: i32,
  key: *mut c_void,
  key_size: u32,
  value: *mut c_void,
  value_size: u32,
  flags: u64,
}

/// The common case of an element call's arguments; None sends the call to the slow path.
unsafe fn elem_call(env: sys::napi_env, a: &Args) -> Option<ElemCall> {
  if !(3..=4).contains(&a.argc) {
    return None;
  }
  let fd = fd(env, a.argv[0])?;
  let (key, key_size) = bytes(env, a.argv[1])?;
  let (value, value_size) = bytes(env, a.argv[2])?;
  let flags = flags(env, a, 3)?;
  Some(ElemCall {
    fd,
    key,
    key_size,
    value,
    value_size,
    flags,
  })
}

/// mapLookupElemInto(fd, key, value, flags?): true when found, false for a missing key.
unsafe extern "C" fn lookup_into(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  let Some(a) = args(env, info) else {
    return ptr::null_mut();
  };
  let Some(call) = elem_call(env, &a) else {
    return slow_path(env, &a);
  };
  match c::bpfhost_map_lookup_elem_sized(
    call.fd,
    call.key,
    call.key_size,
    call.value,
    call.value_size,
    call.flags,
  ) {
    0 => boolean(env, true),
    r if r == -ENOENT => boolean(env, false),
    _ => slow_path(env, &a),
  }
}

/// mapUpdateElem(fd, key, value, flags?).
unsafe extern "C" fn update(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
  let Some(a) = args(env, info) else {
    return ptr::null_mut();
  };
  let Some(call) = elem_call(env, &a) else {
    return slow_path(env, &a);
  };
  if c::bpfhost_map_update_elem_sized(
    call.fd,
    call.key,
    call.key_size,
    call.value,
    call.value_size,
    call.flags,
  ) != 0
  {
    return slow_path(env, &a);
  }
  let mut undefined = ptr::null_mut();
  sys::napi_get_undefined(env, &mut undefined);
  undefined
}

/// Replaces `exports[name]` (a `#[napi]` function) by `fast`, which falls back to it.
unsafe fn install(
  env: sys::napi_env,
  exports: sys::napi_value,
  name: &std::ffi::CStr,
  fast: sys::napi_callback,
) -> Result<()> {
  let check = |status: sys::napi_status, what: &str| {
    if status == sys::Status::napi_ok {
      Ok(())
    } else {
      Err(Error::new(
        Status::from(status),
        format!("fast path for {name:?}: {what}"),
      ))
    }
  };
  let mut slow_fn = ptr::null_mut();
  check(
    sys::napi_get_named_property(env, exports, name.as_ptr(), &mut slow_fn),
    "get the export",
  )?;
  let mut slow_ref = ptr::null_mut();
  check(
    sys::napi_create_reference(env, slow_fn, 1, &mut slow_ref),
    "reference it",
  )?;
  // One per env, freed with it (a worker thread's env goes before the process).
  let slow = Box::into_raw(Box::new(Slow { func: slow_ref }));
  check(
    sys::napi_add_finalizer(
      env,
      exports,
      slow.cast(),
      Some(free_slow),
      ptr::null_mut(),
      ptr::null_mut(),
    ),
    "tie it to the exports",
  )?;
  let mut f = ptr::null_mut();
  check(
    sys::napi_create_function(
      env,
      name.as_ptr(),
      name.to_bytes().len() as isize,
      fast,
      slow.cast(),
      &mut f,
    ),
    "create the function",
  )?;
  check(
    sys::napi_set_named_property(env, exports, name.as_ptr(), f),
    "set the export",
  )
}

unsafe extern "C" fn free_slow(env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
  let slow = Box::from_raw(data as *mut Slow);
  sys::napi_delete_reference(env, slow.func);
}

#[napi(module_exports)]
pub fn install_fast_paths(exports: Object, env: Env) -> Result<()> {
  // SAFETY: on the JS thread while the module loads; exports is the module's object.
  unsafe {
    install(
      env.raw(),
      exports.raw(),
      c"mapLookupElemInto",
      Some(lookup_into),
    )?;
    install(env.raw(), exports.raw(), c"mapUpdateElem", Some(update))?;
  }
  Ok(())
}
