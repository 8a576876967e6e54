//! The assembler and disassembler (asm.h), bpf_conformance text syntax.

use std::os::raw::c_void;
use std::ptr;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::convert::cstring;
use crate::error::{check, invalid};
use crate::sys;

/// bpfhost_asm(): assembles @source into raw 8-byte instructions.
#[napi(js_name = "asm")]
pub fn asm(env: Env, source: String) -> Result<Buffer> {
  let c = cstring(&env, &source, "source")?;
  let mut insns: *mut c_void = ptr::null_mut();
  let mut cnt = 0usize;
  // SAFETY: NUL-terminated source; the library allocates insns with malloc.
  check(&env, unsafe {
    sys::bpfhost_asm(c.as_ptr(), &mut insns, &mut cnt)
  })?;
  let out = if insns.is_null() {
    Vec::new()
  } else {
    // SAFETY: insns holds cnt 8-byte instructions; copied, then freed.
    let v = unsafe { std::slice::from_raw_parts(insns as *const u8, cnt * 8) }.to_vec();
    unsafe { sys::free(insns) };
    v
  };
  Ok(out.into())
}

/// bpfhost_disasm(): the text of @insns, one instruction per line.
#[napi(js_name = "disasm")]
pub fn disasm(env: Env, insns: BufferSlice) -> Result<String> {
  if !insns.len().is_multiple_of(8) {
    return Err(invalid(
      &env,
      format!(
        "disasm: instructions are 8 bytes each, got a {}-byte Buffer",
        insns.len()
      ),
    ));
  }
  let cnt = insns.len() / 8;
  let p: *const c_void = if cnt == 0 {
    ptr::null()
  } else {
    insns.as_ptr().cast()
  };
  // SAFETY: first call measures (NULL buffer, size 0).
  let need = check(&env, unsafe {
    sys::bpfhost_disasm(p, cnt, ptr::null_mut(), 0)
  })? as usize;
  let mut buf = vec![0u8; need + 1];
  // SAFETY: buf has need + 1 bytes, room for the text and its NUL.
  let n = check(&env, unsafe {
    sys::bpfhost_disasm(p, cnt, buf.as_mut_ptr().cast(), buf.len())
  })? as usize;
  buf.truncate(n.min(need));
  Ok(String::from_utf8_lossy(&buf).into_owned())
}
