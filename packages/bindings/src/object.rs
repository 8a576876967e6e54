//! BPF objects (libbpf.h): NativeObject owns a `struct bpfhost_object *`
//! from open to close; its maps, programs and BTF are read through the
//! library's getters.

use std::ptr::{self, NonNull};

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::btf::{btf_types, BtfType};
use crate::convert::{cstring, from_c};
use crate::error::{CError, EBADF};
use crate::sys;

/// An opened (and perhaps loaded) BPF ELF object.
#[napi(js_name = "NativeObject")]
pub struct NativeObject {
  obj: Option<NonNull<sys::Object>>,
  /// Kept for the message of calls after close().
  name: String,
}

#[napi(object)]
pub struct ObjectMap {
  pub name: String,
  /// The map's handle after load, -1 before.
  pub fd: i32,
  #[napi(js_name = "type")]
  pub map_type: u32,
  pub key_size: u32,
  pub value_size: u32,
  pub max_entries: u32,
  pub map_flags: u32,
  pub btf_key_type_id: u32,
  pub btf_value_type_id: u32,
  /// One of the `.data`, `.rodata*`, `.bss` maps.
  pub internal: bool,
}

#[napi(object)]
pub struct ObjectProgram {
  pub name: String,
  pub section_name: String,
  #[napi(js_name = "type")]
  pub prog_type: u32,
  pub expected_attach_type: u32,
  /// The program's handle after load, -1 before (or when not loaded).
  pub fd: i32,
  pub insn_cnt: u32,
}

/// The error of an open that returned NULL (errno set by the library).
fn open_error(env: &Env) -> Error {
  let errno = std::io::Error::last_os_error()
    .raw_os_error()
    .unwrap_or(crate::error::EINVAL);
  CError::last(-errno).into_napi(env)
}

impl NativeObject {
  fn wrap(env: &Env, p: *mut sys::Object) -> Result<Self> {
    let obj = NonNull::new(p).ok_or_else(|| open_error(env))?;
    // SAFETY: obj is a live object.
    let name = from_c(unsafe { sys::bpfhost_object__name(obj.as_ptr()) });
    Ok(NativeObject {
      obj: Some(obj),
      name,
    })
  }

  fn get(&self, env: &Env, op: &str) -> Result<*mut sys::Object> {
    self.obj.map(|o| o.as_ptr()).ok_or_else(|| {
      CError::new(
        EBADF,
        format!("NativeObject.{op}: object '{}' is closed", self.name),
      )
      .into_napi(env)
    })
  }

  /// The log of the first program whose load left one (a refusal).
  fn refusal_log(obj: *mut sys::Object) -> Option<String> {
    let mut prog = ptr::null_mut();
    loop {
      // SAFETY: obj is live; prog is NULL or one of its programs.
      prog = unsafe { sys::bpfhost_object__next_program(obj, prog) };
      if prog.is_null() {
        return None;
      }
      // SAFETY: prog is one of obj's programs.
      let log = from_c(unsafe { sys::bpfhost_program__log(prog) });
      if !log.trim().is_empty() {
        return Some(log.trim_end().to_string());
      }
    }
  }
}

impl Drop for NativeObject {
  fn drop(&mut self) {
    if let Some(o) = self.obj.take() {
      // SAFETY: the object is ours and closed once.
      unsafe { sys::bpfhost_object__close(o.as_ptr()) };
    }
  }
}

#[napi]
impl NativeObject {
  /// bpfhost_object__open_file(): parses the object at @path.
  #[napi(factory, js_name = "openFile")]
  pub fn open_file(env: Env, path: String) -> Result<Self> {
    let c = cstring(&env, &path, "path")?;
    // SAFETY: NUL-terminated path, no opts.
    let p = unsafe { sys::bpfhost_object__open_file(c.as_ptr(), ptr::null()) };
    Self::wrap(&env, p)
  }

  /// bpfhost_object__open_mem(): parses an in-memory image (copied), named @name.
  #[napi(factory, js_name = "openMem")]
  pub fn open_mem(env: Env, buf: BufferSlice, name: Option<String>) -> Result<Self> {
    let cname = name.map(|n| cstring(&env, &n, "name")).transpose()?;
    let opts = sys::ObjectOpenOpts {
      sz: std::mem::size_of::<sys::ObjectOpenOpts>(),
      object_name: cname.as_ref().map_or(ptr::null(), |c| c.as_ptr()),
      pin_root_path: ptr::null(),
    };
    let data = if buf.is_empty() {
      ptr::null()
    } else {
      buf.as_ptr().cast()
    };
    // SAFETY: buf has buf.len() bytes; the library copies them.
    let p = unsafe { sys::bpfhost_object__open_mem(data, buf.len(), &opts) };
    Self::wrap(&env, p)
  }

  /// bpfhost_object__load(): creates the maps and loads the programs. A
  /// refused program's log is the error's `log`.
  #[napi]
  pub fn load(&mut self, env: Env) -> Result<()> {
    let obj = self.get(&env, "load")?;
    // SAFETY: obj is live.
    let ret = unsafe { sys::bpfhost_object__load(obj) };
    if ret < 0 {
      let mut e = CError::last(ret);
      e.log = Self::refusal_log(obj);
      return Err(e.into_napi(&env));
    }
    Ok(())
  }

  /// bpfhost_object__close(): closes every handle of the object. Idempotent.
  #[napi]
  pub fn close(&mut self) {
    if let Some(o) = self.obj.take() {
      // SAFETY: the object is ours and closed once.
      unsafe { sys::bpfhost_object__close(o.as_ptr()) };
    }
  }

  /// The object's name.
  #[napi(getter)]
  pub fn name(&self) -> String {
    self.name.clone()
  }

  /// Its maps, in ELF order (fd -1 before load).
  #[napi]
  pub fn maps(&self, env: Env) -> Result<Vec<ObjectMap>> {
    let obj = self.get(&env, "maps")?;
    let mut out = Vec::new();
    let mut m = ptr::null_mut();
    loop {
      // SAFETY: obj is live; m is NULL or one of its maps.
      m = unsafe { sys::bpfhost_object__next_map(obj, m) };
      if m.is_null() {
        return Ok(out);
      }
      // SAFETY: m is one of obj's maps; getters never fail.
      unsafe {
        out.push(ObjectMap {
          name: from_c(sys::bpfhost_map__name(m)),
          fd: sys::bpfhost_map__fd(m).max(-1),
          map_type: sys::bpfhost_map__type(m),
          key_size: sys::bpfhost_map__key_size(m),
          value_size: sys::bpfhost_map__value_size(m),
          max_entries: sys::bpfhost_map__max_entries(m),
          map_flags: sys::bpfhost_map__map_flags(m),
          btf_key_type_id: sys::bpfhost_map__btf_key_type_id(m),
          btf_value_type_id: sys::bpfhost_map__btf_value_type_id(m),
          internal: sys::bpfhost_map__is_internal(m),
        });
      }
    }
  }

  /// Its programs, in ELF order (fd -1 before load).
  #[napi]
  pub fn programs(&self, env: Env) -> Result<Vec<ObjectProgram>> {
    let obj = self.get(&env, "programs")?;
    let mut out = Vec::new();
    let mut p = ptr::null_mut();
    loop {
      // SAFETY: obj is live; p is NULL or one of its programs.
      p = unsafe { sys::bpfhost_object__next_program(obj, p) };
      if p.is_null() {
        return Ok(out);
      }
      // SAFETY: p is one of obj's programs; getters never fail.
      unsafe {
        out.push(ObjectProgram {
          name: from_c(sys::bpfhost_program__name(p)),
          section_name: from_c(sys::bpfhost_program__section_name(p)),
          prog_type: sys::bpfhost_program__type(p),
          expected_attach_type: sys::bpfhost_program__expected_attach_type(p),
          fd: sys::bpfhost_program__fd(p).max(-1),
          insn_cnt: sys::bpfhost_program__insn_cnt(p) as u32,
        });
      }
    }
  }

  /// The whole BTF type table (index = type id, 0 = void), or null without BTF.
  #[napi(js_name = "btfTypes")]
  pub fn btf_types(&self, env: Env) -> Result<Option<Vec<BtfType>>> {
    let obj = self.get(&env, "btfTypes")?;
    // SAFETY: obj is live; the BTF is owned by it.
    let btf = unsafe { sys::bpfhost_object__btf(obj) };
    if btf.is_null() {
      return Ok(None);
    }
    Ok(Some(btf_types(btf)))
  }
}
