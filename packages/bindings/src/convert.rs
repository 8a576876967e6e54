//! Value conversions between JS arguments and C: BigInt to u64, strings to
//! C strings, C strings and name arrays to Rust strings.

use std::ffi::{CStr, CString};
use std::os::raw::c_char;

use napi::bindgen_prelude::*;

use crate::error::invalid;

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
