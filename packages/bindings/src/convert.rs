//! Value conversions between JS arguments and C: numbers to checked
//! integers, BigInt to u64, strings to C strings, C strings and name arrays
//! to Rust strings.

use std::ffi::{CStr, CString};
use std::os::raw::c_char;

use napi::bindgen_prelude::*;

use crate::error::invalid;

/// The JS spelling of a number, for messages: `1.5`, `-5`, `4294967296`, `NaN`, `Infinity`.
pub fn js_number(v: f64) -> String {
  if v.is_nan() {
    "NaN".to_string()
  } else if v.is_infinite() {
    if v > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
  } else if v == v.trunc() && v.abs() < 1e21 {
    format!("{v:.0}")
  } else {
    format!("{v}")
  }
}

/// An integer argument that came as a JS number. napi's own u32/i32
/// conversions wrap (2^32 becomes 0, -5 becomes 4294967291, 1.5 becomes 1),
/// so integer arguments are taken as f64 and checked here: anything but an
/// integer in [min, max] is EINVAL naming the argument, the range and the value.
pub fn int_arg(env: &Env, op: &str, what: &str, v: f64, min: i64, max: i64) -> Result<i64> {
  // Every bound is below 2^53: the comparisons are exact.
  if v.fract() == 0.0 && v >= min as f64 && v <= max as f64 {
    return Ok(v as i64);
  }
  Err(invalid(
    env,
    format!(
      "{op}: {what} must be an integer in [{min}, {max}], got {}",
      js_number(v)
    ),
  ))
}

/// A u32 argument (sizes, counts, ids, types, flags): an integer in [0, 2^32-1].
pub fn u32_arg(env: &Env, op: &str, what: &str, v: f64) -> Result<u32> {
  int_arg(env, op, what, v, 0, u32::MAX as i64).map(|n| n as u32)
}

/// An int argument (handles, timeouts): an integer in [-2^31, 2^31-1], as the C call takes it.
pub fn i32_arg(env: &Env, op: &str, what: &str, v: f64) -> Result<i32> {
  int_arg(env, op, what, v, i32::MIN as i64, i32::MAX as i64).map(|n| n as i32)
}

pub fn opt_u32_arg(env: &Env, op: &str, what: &str, v: Option<f64>) -> Result<Option<u32>> {
  v.map(|v| u32_arg(env, op, what, v)).transpose()
}

/// @n zero bytes for the library to write into, or None when they cannot be
/// allocated: a caller-chosen size (a test run's `dataSizeOut`, a batch's
/// `count`) must not abort the process. calloc-backed, so room that is never
/// written costs no memory.
pub fn zeroed(n: usize) -> Option<Vec<u8>> {
  if n == 0 {
    return Some(Vec::new());
  }
  let layout = std::alloc::Layout::array::<u8>(n).ok()?;
  // SAFETY: layout has a non-zero size.
  let p = unsafe { std::alloc::alloc_zeroed(layout) };
  if p.is_null() {
    return None;
  }
  // SAFETY: p is n zeroed bytes from the global allocator with u8's layout.
  Some(unsafe { Vec::from_raw_parts(p, n, n) })
}

/// A u64 from a BigInt argument; negative or wider values are EINVAL.
pub fn u64_of(env: &Env, value: &BigInt, what: &str) -> Result<u64> {
  let (signed, v, lossless) = value.get_u64();
  if signed || !lossless {
    return Err(invalid(
      env,
      format!("{what} must be a bigint in 0 .. 2^64-1"),
    ));
  }
  Ok(v)
}

pub fn opt_u64(env: &Env, value: Option<&BigInt>, what: &str) -> Result<u64> {
  value.map_or(Ok(0), |v| u64_of(env, v, what))
}

/// A C string from a JS string; an embedded NUL is EINVAL.
pub fn cstring(env: &Env, s: &str, what: &str) -> Result<CString> {
  CString::new(s).map_err(|_| invalid(env, format!("{what} contains a NUL character")))
}

/// A Rust string from a C string the library owns (NULL gives "").
pub fn from_c(p: *const c_char) -> String {
  if p.is_null() {
    return String::new();
  }
  // SAFETY: the library returns NUL-terminated strings valid for this call.
  unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// A Rust string from a fixed char array (an info struct's name).
pub fn from_c_array(name: &[c_char]) -> String {
  let bytes: Vec<u8> = name
    .iter()
    .take_while(|c| **c != 0)
    .map(|c| *c as u8)
    .collect();
  String::from_utf8_lossy(&bytes).into_owned()
}
