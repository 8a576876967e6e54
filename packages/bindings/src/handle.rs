//! Handles, ids and pins (bpf.h): close, the handle count, object ids and
//! the in-process pin namespace.

use std::os::raw::c_int;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::convert::{cstring, i32_arg, u32_arg};
use crate::error::{check, ENOENT};
use crate::sys;

/// bpfhost_obj_pin(): pins the object of @fd at @path.
#[napi(js_name = "objPin")]
pub fn obj_pin(env: Env, fd: f64, path: String) -> Result<()> {
  let fd = i32_arg(&env, "objPin", "fd", fd)?;
  let c = cstring(&env, &path, "path")?;
  // SAFETY: NUL-terminated path.
  check(&env, unsafe { sys::bpfhost_obj_pin(fd, c.as_ptr()) })?;
  Ok(())
}

/// bpfhost_obj_get(): a new handle to the object pinned at @path.
#[napi(js_name = "objGet")]
pub fn obj_get(env: Env, path: String) -> Result<i32> {
  let c = cstring(&env, &path, "path")?;
  // SAFETY: NUL-terminated path.
  check(&env, unsafe { sys::bpfhost_obj_get(c.as_ptr()) })
}

/// bpfhost_obj_unpin(): removes the pin at @path.
#[napi(js_name = "objUnpin")]
pub fn obj_unpin(env: Env, path: String) -> Result<()> {
  let c = cstring(&env, &path, "path")?;
  // SAFETY: NUL-terminated path.
  check(&env, unsafe { sys::bpfhost_obj_unpin(c.as_ptr()) })?;
  Ok(())
}

type NextIdFn = unsafe extern "C" fn(u32, *mut u32) -> c_int;

fn next_id(env: &Env, f: NextIdFn, start_id: u32) -> Result<Option<u32>> {
  let mut next = 0u32;
  // SAFETY: next is a plain u32 out parameter.
  let ret = unsafe { f(start_id, &mut next) };
  if ret == -ENOENT {
    return Ok(None);
  }
  check(env, ret)?;
  Ok(Some(next))
}

/// bpfhost_prog_get_next_id(): the first program id above @startId, or null.
#[napi(js_name = "progGetNextId")]
pub fn prog_get_next_id(env: Env, start_id: f64) -> Result<Option<u32>> {
  let start_id = u32_arg(&env, "progGetNextId", "startId", start_id)?;
  next_id(&env, sys::bpfhost_prog_get_next_id, start_id)
}

/// bpfhost_map_get_next_id(): the first map id above @startId, or null.
#[napi(js_name = "mapGetNextId")]
pub fn map_get_next_id(env: Env, start_id: f64) -> Result<Option<u32>> {
  let start_id = u32_arg(&env, "mapGetNextId", "startId", start_id)?;
  next_id(&env, sys::bpfhost_map_get_next_id, start_id)
}

/// bpfhost_link_get_next_id(): the first link id above @startId, or null.
#[napi(js_name = "linkGetNextId")]
pub fn link_get_next_id(env: Env, start_id: f64) -> Result<Option<u32>> {
  let start_id = u32_arg(&env, "linkGetNextId", "startId", start_id)?;
  next_id(&env, sys::bpfhost_link_get_next_id, start_id)
}

/// bpfhost_prog_get_fd_by_id(): a new handle to program @id.
#[napi(js_name = "progGetFdById")]
pub fn prog_get_fd_by_id(env: Env, id: f64) -> Result<i32> {
  let id = u32_arg(&env, "progGetFdById", "id", id)?;
  // SAFETY: plain argument.
  check(&env, unsafe { sys::bpfhost_prog_get_fd_by_id(id) })
}

/// bpfhost_map_get_fd_by_id(): a new handle to map @id.
#[napi(js_name = "mapGetFdById")]
pub fn map_get_fd_by_id(env: Env, id: f64) -> Result<i32> {
  let id = u32_arg(&env, "mapGetFdById", "id", id)?;
  // SAFETY: plain argument.
  check(&env, unsafe { sys::bpfhost_map_get_fd_by_id(id) })
}

/// bpfhost_link_get_fd_by_id(): a new handle to link @id.
#[napi(js_name = "linkGetFdById")]
pub fn link_get_fd_by_id(env: Env, id: f64) -> Result<i32> {
  let id = u32_arg(&env, "linkGetFdById", "id", id)?;
  // SAFETY: plain argument.
  check(&env, unsafe { sys::bpfhost_link_get_fd_by_id(id) })
}

/// bpfhost_close(): closes a handle (the object lives on while referenced).
#[napi(js_name = "close")]
pub fn close(env: Env, fd: f64) -> Result<()> {
  let fd = i32_arg(&env, "close", "fd", fd)?;
  // SAFETY: plain handle argument.
  check(&env, unsafe { sys::bpfhost_close(fd) })?;
  Ok(())
}

/// bpfhost_handle_count(): open handles (for leak checks).
#[napi(js_name = "handleCount")]
pub fn handle_count() -> i32 {
  // SAFETY: no arguments.
  unsafe { sys::bpfhost_handle_count() }
}
