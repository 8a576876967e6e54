//! Extension modules (bpfhost.h): load and unload.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::convert::{cstring, i32_arg};
use crate::error::check;
use crate::sys;

/// bpfhost_extension_load(): loads the module at @path; returns its handle.
#[napi(js_name = "extensionLoad")]
pub fn extension_load(env: Env, path: String) -> Result<i32> {
  let c = cstring(&env, &path, "path")?;
  // SAFETY: NUL-terminated path.
  check(&env, unsafe { sys::bpfhost_extension_load(c.as_ptr()) })
}

/// bpfhost_extension_unload(): unloads module @handle (@force: BPFHOST_UNLOAD_FORCE).
#[napi(js_name = "extensionUnload")]
pub fn extension_unload(env: Env, handle: f64, force: Option<bool>) -> Result<()> {
  let handle = i32_arg(&env, "extensionUnload", "handle", handle)?;
  let flags = if force.unwrap_or(false) {
    sys::BPFHOST_UNLOAD_FORCE
  } else {
    0
  };
  // SAFETY: plain arguments.
  check(&env, unsafe {
    sys::bpfhost_extension_unload(handle, flags)
  })?;
  Ok(())
}
