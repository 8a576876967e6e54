//! BPF objects (libbpf.h): NativeObject owns a `struct bpfhost_object *`
//! from open to close; its maps, programs and BTF are read through the
//! library's getters.

use std::ffi::CString;
use std::ptr::{self, NonNull};

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::btf::{btf_types, BtfType};
use crate::convert::u32_arg;
use crate::convert::{cstring, from_c};
use crate::error::{check, invalid, CError, EBADF, ENOENT};
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
  /// Where load pins the map, if it does.
  pub pin_path: Option<String>,
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
  /// Whether load() loads it.
  pub autoload: bool,
}

/// Where a run of a program's instructions came from in the C source
/// (bpfhost_program__source_line(), from the object's .BTF.ext line info).
#[napi(object)]
pub struct ObjectSourceLine {
  /// The first instruction of the run (an index into the loaded instructions).
  pub insn: u32,
  /// The file as it was compiled.
  pub file: String,
  pub line: u32,
  pub col: u32,
  /// The line's text.
  pub text: String,
}

/// A global variable as bpfhost_object__find_variable() reports it.
#[napi(object)]
pub struct ObjectVariable {
  /// The global data map holding it.
  pub map: String,
  /// The BTF type of its value.
  pub btf_type_id: u32,
  /// A copy of its bytes in the map's initial value.
  pub bytes: Buffer,
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

  /// bpfhost_object__find_map_by_name(), ENOENT naming the map otherwise.
  fn map(&self, env: &Env, op: &str, name: &str) -> Result<*mut sys::Map> {
    let obj = self.get(env, op)?;
    let c = cstring(env, name, "name")?;
    // SAFETY: obj is live; c is NUL-terminated.
    let m = unsafe { sys::bpfhost_object__find_map_by_name(obj, c.as_ptr()) };
    if m.is_null() {
      return Err(CError::last(-ENOENT).into_napi(env));
    }
    Ok(m)
  }

  /// bpfhost_object__find_program_by_name(), ENOENT naming the program otherwise.
  fn program(&self, env: &Env, op: &str, name: &str) -> Result<*mut sys::Program> {
    let obj = self.get(env, op)?;
    let c = cstring(env, name, "name")?;
    // SAFETY: obj is live; c is NUL-terminated.
    let p = unsafe { sys::bpfhost_object__find_program_by_name(obj, c.as_ptr()) };
    if p.is_null() {
      return Err(CError::last(-ENOENT).into_napi(env));
    }
    Ok(p)
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

/// Open options (bpfhost_object_open_opts).
#[napi(object)]
pub struct NativeOpenOptions {
  /// Extern values, libbpf's kconfig text: "CONFIG_X=y" lines.
  pub kconfig: Option<String>,
  /// The CO-RE target BTF (raw BTF or an ELF with .BTF) instead of bpfhost's own.
  pub btf_custom_path: Option<String>,
}

/// The C strings of an open call's options, alive while the call runs.
struct OpenStrings {
  name: Option<CString>,
  kconfig: Option<CString>,
  btf_custom_path: Option<CString>,
}

impl OpenStrings {
  fn new(env: &Env, name: Option<String>, opts: Option<NativeOpenOptions>) -> Result<Self> {
    let (kconfig, btf) = opts.map_or((None, None), |o| (o.kconfig, o.btf_custom_path));
    Ok(OpenStrings {
      name: name.map(|n| cstring(env, &n, "name")).transpose()?,
      kconfig: kconfig.map(|k| cstring(env, &k, "kconfig")).transpose()?,
      btf_custom_path: btf.map(|b| cstring(env, &b, "btfCustomPath")).transpose()?,
    })
  }

  fn opts(&self) -> sys::ObjectOpenOpts {
    let p = |c: &Option<CString>| c.as_ref().map_or(ptr::null(), |c| c.as_ptr());
    sys::ObjectOpenOpts {
      sz: std::mem::size_of::<sys::ObjectOpenOpts>(),
      object_name: p(&self.name),
      pin_root_path: ptr::null(),
      kconfig: p(&self.kconfig),
      btf_custom_path: p(&self.btf_custom_path),
    }
  }
}

#[napi]
impl NativeObject {
  /// bpfhost_object__open_file(): parses the object at @path, with @opts.
  #[napi(factory, js_name = "openFile")]
  pub fn open_file(env: Env, path: String, opts: Option<NativeOpenOptions>) -> Result<Self> {
    let c = cstring(&env, &path, "path")?;
    let strs = OpenStrings::new(&env, None, opts)?;
    let o = strs.opts();
    // SAFETY: NUL-terminated path; the strings in o live until the call returns.
    let p = unsafe { sys::bpfhost_object__open_file(c.as_ptr(), &o) };
    Self::wrap(&env, p)
  }

  /// bpfhost_object__open_mem(): parses an in-memory image (copied), named @name, with @opts.
  #[napi(factory, js_name = "openMem")]
  pub fn open_mem(
    env: Env,
    buf: BufferSlice,
    name: Option<String>,
    opts: Option<NativeOpenOptions>,
  ) -> Result<Self> {
    let strs = OpenStrings::new(&env, name, opts)?;
    let o = strs.opts();
    let data = if buf.is_empty() {
      ptr::null()
    } else {
      buf.as_ptr().cast()
    };
    // SAFETY: buf has buf.len() bytes; the library copies them.
    let p = unsafe { sys::bpfhost_object__open_mem(data, buf.len(), &o) };
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
          pin_path: {
            let p = sys::bpfhost_map__pin_path(m);
            (!p.is_null()).then(|| from_c(p))
          },
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
          autoload: sys::bpfhost_program__autoload(p),
        });
      }
    }
  }

  /// bpfhost_program__set_type() of program @name (before load).
  #[napi(js_name = "setProgramType")]
  pub fn set_program_type(&self, env: Env, name: String, prog_type: f64) -> Result<()> {
    let p = self.program(&env, "setProgramType", &name)?;
    let t = u32_arg(&env, "setProgramType", "type", prog_type)?;
    // SAFETY: p is one of the live object's programs.
    check(&env, unsafe { sys::bpfhost_program__set_type(p, t) }).map(|_| ())
  }

  /// bpfhost_program__set_expected_attach_type() of program @name (before load).
  #[napi(js_name = "setProgramExpectedAttachType")]
  pub fn set_program_expected_attach_type(
    &self,
    env: Env,
    name: String,
    attach_type: f64,
  ) -> Result<()> {
    let op = "setProgramExpectedAttachType";
    let p = self.program(&env, op, &name)?;
    let t = u32_arg(&env, op, "attachType", attach_type)?;
    // SAFETY: p is one of the live object's programs.
    check(&env, unsafe {
      sys::bpfhost_program__set_expected_attach_type(p, t)
    })
    .map(|_| ())
  }

  /// bpfhost_program__set_autoload() of program @name (before load).
  #[napi(js_name = "setProgramAutoload")]
  pub fn set_program_autoload(&self, env: Env, name: String, autoload: bool) -> Result<()> {
    let p = self.program(&env, "setProgramAutoload", &name)?;
    // SAFETY: p is one of the live object's programs.
    check(&env, unsafe {
      sys::bpfhost_program__set_autoload(p, autoload)
    })
    .map(|_| ())
  }

  /// bpfhost_program__set_log_level() of program @name (before load): 0
  /// (a log only for a refusal), 1 (the failing path; on success, the
  /// statistics) or 2 (every instruction walked, with register states).
  #[napi(js_name = "setProgramLogLevel")]
  pub fn set_program_log_level(&self, env: Env, name: String, level: f64) -> Result<()> {
    let op = "setProgramLogLevel";
    let p = self.program(&env, op, &name)?;
    let level = u32_arg(&env, op, "logLevel", level)?;
    if level > 2 {
      return Err(invalid(
        &env,
        format!("{op}: logLevel must be 0, 1 or 2, got {level}"),
      ));
    }
    // SAFETY: p is one of the live object's programs.
    check(&env, unsafe {
      sys::bpfhost_program__set_log_level(p, level)
    })
    .map(|_| ())
  }

  /// bpfhost_program__source_line() of each instruction of program @name,
  /// one entry per run of instructions from the same source position, in
  /// instruction order; empty without line info (no clang -g) or before load.
  #[napi(js_name = "programSourceLines")]
  pub fn program_source_lines(&self, env: Env, name: String) -> Result<Vec<ObjectSourceLine>> {
    let p = self.program(&env, "programSourceLines", &name)?;
    let mut out: Vec<ObjectSourceLine> = Vec::new();
    // SAFETY: p is one of the live object's programs.
    let cnt = unsafe { sys::bpfhost_program__insn_cnt(p) } as u32;
    for insn in 0..cnt {
      let (mut file, mut text) = (ptr::null(), ptr::null());
      let (mut line, mut col) = (0u32, 0u32);
      // SAFETY: p is live; the outputs are valid locals; the strings live
      // as long as the object and are copied at once.
      let rc = unsafe {
        sys::bpfhost_program__source_line(p, insn, &mut file, &mut line, &mut col, &mut text)
      };
      if rc != 0 {
        // -ENOENT: no line info for this instruction (none before the first record).
        continue;
      }
      let (file, text) = (from_c(file), from_c(text));
      let same = out
        .last()
        .is_some_and(|l| l.line == line && l.col == col && l.file == file && l.text == text);
      if !same {
        out.push(ObjectSourceLine {
          insn,
          file,
          line,
          col,
          text,
        });
      }
    }
    Ok(out)
  }

  /// bpfhost_program__log() of program @name: the log of its last load
  /// ("" when none was asked for and it was not refused).
  #[napi(js_name = "programLog")]
  pub fn program_log(&self, env: Env, name: String) -> Result<String> {
    let p = self.program(&env, "programLog", &name)?;
    // SAFETY: p is one of the live object's programs; the text is copied at once.
    Ok(
      from_c(unsafe { sys::bpfhost_program__log(p) })
        .trim_end()
        .to_string(),
    )
  }

  /// bpfhost_map__set_max_entries() of map @name (before load).
  #[napi(js_name = "setMapMaxEntries")]
  pub fn set_map_max_entries(&self, env: Env, name: String, max_entries: f64) -> Result<()> {
    let m = self.map(&env, "setMapMaxEntries", &name)?;
    let v = u32_arg(&env, "setMapMaxEntries", "maxEntries", max_entries)?;
    // SAFETY: m is one of the live object's maps.
    check(&env, unsafe { sys::bpfhost_map__set_max_entries(m, v) }).map(|_| ())
  }

  /// bpfhost_map__set_value_size() of map @name (before load; global data: see the C doc).
  #[napi(js_name = "setMapValueSize")]
  pub fn set_map_value_size(&self, env: Env, name: String, size: f64) -> Result<()> {
    let m = self.map(&env, "setMapValueSize", &name)?;
    let v = u32_arg(&env, "setMapValueSize", "valueSize", size)?;
    // SAFETY: m is one of the live object's maps.
    check(&env, unsafe { sys::bpfhost_map__set_value_size(m, v) }).map(|_| ())
  }

  /// bpfhost_map__set_map_flags() of map @name (before load).
  #[napi(js_name = "setMapFlags")]
  pub fn set_map_flags(&self, env: Env, name: String, flags: f64) -> Result<()> {
    let m = self.map(&env, "setMapFlags", &name)?;
    let v = u32_arg(&env, "setMapFlags", "flags", flags)?;
    // SAFETY: m is one of the live object's maps.
    check(&env, unsafe { sys::bpfhost_map__set_map_flags(m, v) }).map(|_| ())
  }

  /// bpfhost_map__set_inner_map_fd() of map @name (before load; @fd stays the caller's).
  #[napi(js_name = "setMapInnerMapFd")]
  pub fn set_map_inner_map_fd(&self, env: Env, name: String, fd: f64) -> Result<()> {
    let m = self.map(&env, "setMapInnerMapFd", &name)?;
    let v = crate::convert::i32_arg(&env, "setMapInnerMapFd", "fd", fd)?;
    // SAFETY: m is one of the live object's maps.
    check(&env, unsafe { sys::bpfhost_map__set_inner_map_fd(m, v) }).map(|_| ())
  }

  /// bpfhost_map__set_pin_path() of map @name (before load; null: no pinning).
  #[napi(js_name = "setMapPinPath")]
  pub fn set_map_pin_path(&self, env: Env, name: String, path: Option<String>) -> Result<()> {
    let m = self.map(&env, "setMapPinPath", &name)?;
    let c = path.map(|p| cstring(&env, &p, "path")).transpose()?;
    // SAFETY: m is one of the live object's maps; the path is copied.
    check(&env, unsafe {
      sys::bpfhost_map__set_pin_path(m, c.as_ref().map_or(ptr::null(), |c| c.as_ptr()))
    })
    .map(|_| ())
  }

  /// bpfhost_map__initial_value(): a copy of global data map @name's initial value, or null for other maps.
  #[napi(js_name = "mapInitialValue")]
  pub fn map_initial_value(&self, env: Env, name: String) -> Result<Option<Buffer>> {
    let m = self.map(&env, "mapInitialValue", &name)?;
    let mut size = 0usize;
    // SAFETY: m is one of the live object's maps.
    let p = unsafe { sys::bpfhost_map__initial_value(m, &mut size) };
    if p.is_null() {
      return Ok(None);
    }
    // SAFETY: the library owns @size bytes at p while the object lives.
    Ok(Some(
      unsafe { std::slice::from_raw_parts(p.cast::<u8>(), size) }
        .to_vec()
        .into(),
    ))
  }

  /// bpfhost_map__set_initial_value() of global data map @name (before load).
  #[napi(js_name = "setMapInitialValue")]
  pub fn set_map_initial_value(&self, env: Env, name: String, value: BufferSlice) -> Result<()> {
    let m = self.map(&env, "setMapInitialValue", &name)?;
    let data = if value.is_empty() {
      ptr::null()
    } else {
      value.as_ptr().cast()
    };
    // SAFETY: value has value.len() bytes; the library copies them.
    check(&env, unsafe {
      sys::bpfhost_map__set_initial_value(m, data, value.len())
    })
    .map(|_| ())
  }

  /// bpfhost_object__find_variable(): global variable @name, or null when the object has none of that name.
  #[napi]
  pub fn variable(&self, env: Env, name: String) -> Result<Option<ObjectVariable>> {
    let obj = self.get(&env, "variable")?;
    let c = cstring(&env, &name, "name")?;
    let (mut size, mut map, mut type_id) = (0usize, ptr::null_mut(), 0u32);
    // SAFETY: obj is live; the out pointers are valid.
    let p = unsafe {
      sys::bpfhost_object__find_variable(obj, c.as_ptr(), &mut size, &mut map, &mut type_id)
    };
    if p.is_null() {
      let errno = std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(crate::error::EINVAL);
      if errno == ENOENT {
        return Ok(None);
      }
      return Err(CError::last(-errno).into_napi(&env));
    }
    // SAFETY: p has @size bytes owned by the object; map is one of its maps.
    unsafe {
      Ok(Some(ObjectVariable {
        map: from_c(sys::bpfhost_map__name(map)),
        btf_type_id: type_id,
        bytes: std::slice::from_raw_parts(p.cast::<u8>(), size)
          .to_vec()
          .into(),
      }))
    }
  }

  /// bpfhost_object__set_variable(): writes global variable @name's initial value (before load).
  #[napi(js_name = "setVariable")]
  pub fn set_variable(&self, env: Env, name: String, value: BufferSlice) -> Result<()> {
    let obj = self.get(&env, "setVariable")?;
    let c = cstring(&env, &name, "name")?;
    let data = if value.is_empty() {
      ptr::null()
    } else {
      value.as_ptr().cast()
    };
    // SAFETY: obj is live; value has value.len() bytes, copied by the library.
    check(&env, unsafe {
      sys::bpfhost_object__set_variable(obj, c.as_ptr(), data, value.len())
    })
    .map(|_| ())
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
