//! Maps (bpf.h): create, element commands, batches, info. Keys and values
//! are Buffers. Before a call the binding reads the map's key and value
//! sizes (BPF_OBJ_GET_INFO_BY_FD) and refuses Buffers of another size with
//! EINVAL, so the library never reads or writes past a Buffer's end.

use std::os::raw::c_void;
use std::ptr;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::convert::{cstring, from_c_array, i32_arg, opt_u32_arg, opt_u64, u32_arg, zeroed};
use crate::error::{check, invalid, CError, ENOENT, ENOMEM};
use crate::sys;

const BPF_MAP_TYPE_PERCPU_HASH: u32 = 5;
const BPF_MAP_TYPE_PERCPU_ARRAY: u32 = 6;
const BPF_MAP_TYPE_LRU_PERCPU_HASH: u32 = 10;
const BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE: u32 = 21;

/// What a map op needs to check its Buffers.
pub struct MapShape {
  pub fd: i32,
  pub info: sys::BpfMapInfo,
  pub key_size: usize,
  /// Bytes of one value as user space sees it (per-CPU: round_up(value_size, 8) x CPUs).
  pub value_size: usize,
}

impl MapShape {
  /// The map's name for messages: the cheap shape has none, so error paths ask for the info.
  fn name(&self) -> String {
    if self.info.name[0] != 0 {
      return from_c_array(&self.info.name);
    }
    let mut info = sys::BpfMapInfo::default();
    let mut len = std::mem::size_of::<sys::BpfMapInfo>() as u32;
    // SAFETY: info has room for len bytes.
    if unsafe { sys::bpfhost_map_get_info_by_fd(self.fd, &mut info, &mut len) } == 0 {
      from_c_array(&info.name)
    } else {
      format!("(handle {})", self.fd)
    }
  }

  fn is_percpu(&self) -> bool {
    matches!(
      self.info.type_,
      BPF_MAP_TYPE_PERCPU_HASH
        | BPF_MAP_TYPE_PERCPU_ARRAY
        | BPF_MAP_TYPE_LRU_PERCPU_HASH
        | BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE
    )
  }

  fn value_desc(&self) -> String {
    if self.is_percpu() {
      format!(
        "{} bytes (per-CPU: value_size {} rounded up to 8, times {} CPUs)",
        self.value_size,
        self.info.value_size,
        num_cpus()
      )
    } else {
      format!("{} bytes", self.value_size)
    }
  }

  /// The key pointer for a call: NULL for no key, else the Buffer if its size is the key size.
  fn key_ptr(&self, env: &Env, op: &str, key: Option<&[u8]>) -> Result<*const c_void> {
    match key {
      None => Ok(ptr::null()),
      Some(k) if k.len() == self.key_size && self.key_size > 0 => Ok(k.as_ptr().cast()),
      Some(k) if self.key_size == 0 => Err(invalid(
        env,
        format!(
          "{op}: map '{}' has no keys (key_size 0): pass null, not a {}-byte Buffer",
          self.name(),
          k.len()
        ),
      )),
      Some(k) => Err(invalid(
        env,
        format!(
          "{op}: map '{}' keys are {} bytes, got a {}-byte Buffer",
          self.name(),
          self.key_size,
          k.len()
        ),
      )),
    }
  }

  fn check_value_len(&self, env: &Env, op: &str, what: &str, len: usize) -> Result<()> {
    if len != self.value_size {
      return Err(invalid(
        env,
        format!(
          "{op}: map '{}' values are {}, got {what} {len}",
          self.name(),
          self.value_desc()
        ),
      ));
    }
    Ok(())
  }

  fn check_key_size(&self, env: &Env, op: &str, key_size: u32) -> Result<()> {
    if key_size as usize != self.key_size {
      return Err(invalid(
        env,
        format!(
          "{op}: map '{}' keys are {} bytes, got keySize {key_size}",
          self.name(),
          self.key_size
        ),
      ));
    }
    Ok(())
  }
}

fn num_cpus() -> usize {
  // SAFETY: no arguments; returns the core's possible-CPU count.
  unsafe { sys::bpfhost_num_possible_cpus() }.max(1) as usize
}

/// Reads the type and sizes of map @fd (one cheap call per operation), or fails as the
/// map command itself would.
pub fn map_shape(env: &Env, fd: i32, op: &str) -> Result<MapShape> {
  let mut s = sys::BpfhostMapShape::default();
  // SAFETY: s is a valid struct bpfhost_map_shape.
  let ret = unsafe { sys::bpfhost_map_shape(fd, &mut s) };
  if ret < 0 {
    let e = CError::last(ret);
    let why = e
      .message
      .strip_prefix("BPFHOST_MAP_SHAPE: ")
      .unwrap_or(&e.message)
      .to_string();
    return Err(CError::new(e.errno, format!("{op}: {why}")).into_napi(env));
  }
  let info = sys::BpfMapInfo {
    type_: s.map_type,
    key_size: s.key_size,
    value_size: s.value_size,
    max_entries: s.max_entries,
    map_flags: s.map_flags,
    ..Default::default()
  };
  let mut shape = MapShape {
    fd,
    key_size: s.key_size as usize,
    value_size: s.value_size as usize,
    info,
  };
  if shape.is_percpu() {
    shape.value_size = shape.value_size.div_ceil(8) * 8 * num_cpus();
  }
  Ok(shape)
}

/// The whole info of map @fd (mapGetInfo), or fails as the map command itself would.
pub fn map_shape_full(env: &Env, fd: i32, op: &str) -> Result<MapShape> {
  let mut shape = map_shape(env, fd, op)?;
  let mut len = std::mem::size_of::<sys::BpfMapInfo>() as u32;
  // SAFETY: shape.info is a struct bpf_map_info of len bytes.
  let ret = unsafe { sys::bpfhost_map_get_info_by_fd(fd, &mut shape.info, &mut len) };
  if ret < 0 {
    return Err(CError::last(ret).into_napi(env));
  }
  Ok(shape)
}

/// A new Node Buffer of @len bytes (napi_create_buffer) for the library to write into.
pub fn out_buffer(env: &Env, len: usize) -> Result<BufferSlice<'_>> {
  let mut raw = ptr::null_mut();
  let mut data = ptr::null_mut();
  // SAFETY: plain N-API call on the JS thread.
  let status = unsafe { napi::sys::napi_create_buffer(env.raw(), len, &mut data, &mut raw) };
  if status != napi::sys::Status::napi_ok {
    return Err(Error::new(Status::from(status), "cannot allocate a Buffer"));
  }
  // SAFETY: raw is the Buffer just created.
  unsafe { BufferSlice::from_napi_value(env.raw(), raw) }
}

fn ptr_of(buf: &mut BufferSlice) -> *mut c_void {
  if buf.is_empty() {
    ptr::null_mut()
  } else {
    buf.as_mut_ptr().cast()
  }
}

/// Integer options are JS numbers checked as u32 (`innerMapFd` as an int):
/// a fraction or a value out of range is EINVAL, never truncated.
#[napi(object)]
pub struct MapCreateOptions {
  pub map_flags: Option<f64>,
  pub inner_map_fd: Option<f64>,
  pub numa_node: Option<f64>,
  pub map_extra: Option<BigInt>,
}

/// bpfhost_map_create(): a new map; returns its handle. The sizes, count and
/// type are integers in [0, 2^32-1] (EINVAL otherwise).
#[napi(js_name = "mapCreate")]
pub fn map_create(
  env: Env,
  map_type: f64,
  name: Option<String>,
  key_size: f64,
  value_size: f64,
  max_entries: f64,
  opts: Option<MapCreateOptions>,
) -> Result<i32> {
  let op = "mapCreate";
  let map_type = u32_arg(&env, op, "mapType", map_type)?;
  let key_size = u32_arg(&env, op, "keySize", key_size)?;
  let value_size = u32_arg(&env, op, "valueSize", value_size)?;
  let max_entries = u32_arg(&env, op, "maxEntries", max_entries)?;
  let cname = name.map(|n| cstring(&env, &n, "name")).transpose()?;
  let mut o = sys::MapCreateOpts {
    sz: std::mem::size_of::<sys::MapCreateOpts>(),
    ..Default::default()
  };
  if let Some(opts) = &opts {
    o.map_flags = opt_u32_arg(&env, op, "mapFlags", opts.map_flags)?.unwrap_or(0);
    // The C field is a u32 holding an int handle, as Linux's inner_map_fd.
    o.inner_map_fd = opts
      .inner_map_fd
      .map(|fd| i32_arg(&env, op, "innerMapFd", fd))
      .transpose()?
      .unwrap_or(0) as u32;
    o.numa_node = opt_u32_arg(&env, op, "numaNode", opts.numa_node)?.unwrap_or(0);
    o.map_extra = opt_u64(&env, opts.map_extra.as_ref(), "mapExtra")?;
  }
  let name_ptr = cname.as_ref().map_or(ptr::null(), |c| c.as_ptr());
  // SAFETY: name is NUL-terminated or NULL; opts is a complete struct.
  check(&env, unsafe {
    sys::bpfhost_map_create(map_type, name_ptr, key_size, value_size, max_entries, &o)
  })
}

/// bpfhost_map_lookup_elem_flags(): the value of @key (throws ENOENT when absent).
#[napi(js_name = "mapLookupElem")]
pub fn map_lookup_elem<'env>(
  env: &'env Env,
  fd: f64,
  key: Option<BufferSlice>,
  value_size: f64,
  flags: Option<BigInt>,
) -> Result<BufferSlice<'env>> {
  let op = "mapLookupElem";
  let fd = i32_arg(env, op, "fd", fd)?;
  let value_size = u32_arg(env, op, "valueSize", value_size)?;
  let shape = map_shape(env, fd, op)?;
  let kp = shape.key_ptr(env, op, key.as_deref())?;
  shape.check_value_len(env, op, "valueSize", value_size as usize)?;
  let flags = opt_u64(env, flags.as_ref(), "flags")?;
  let mut out = out_buffer(env, shape.value_size)?;
  // SAFETY: the key has key_size bytes, the value room value_size bytes.
  check(env, unsafe {
    sys::bpfhost_map_lookup_elem_flags(fd, kp, ptr_of(&mut out), flags)
  })?;
  Ok(out)
}

/// bpfhost_map_lookup_elem_flags() into a caller's Buffer (no Buffer made
/// per call, no exception for a missing key): true when found, false for
/// ENOENT; other failures throw.
#[napi(js_name = "mapLookupElemInto")]
pub fn map_lookup_elem_into(
  env: Env,
  fd: f64,
  key: Option<BufferSlice>,
  mut value: BufferSlice,
  flags: Option<BigInt>,
) -> Result<bool> {
  let op = "mapLookupElemInto";
  let fd = i32_arg(&env, op, "fd", fd)?;
  let shape = map_shape(&env, fd, op)?;
  let kp = shape.key_ptr(&env, op, key.as_deref())?;
  shape.check_value_len(&env, op, "a Buffer of", value.len())?;
  let flags = opt_u64(&env, flags.as_ref(), "flags")?;
  // SAFETY: the key has key_size bytes, the value Buffer the user value size.
  let ret = unsafe { sys::bpfhost_map_lookup_elem_flags(fd, kp, ptr_of(&mut value), flags) };
  if ret == -ENOENT {
    return Ok(false);
  }
  check(&env, ret)?;
  Ok(true)
}

/// bpfhost_map_update_elem(): stores @value at @key (flags BPF_ANY/NOEXIST/EXIST...).
#[napi(js_name = "mapUpdateElem")]
pub fn map_update_elem(
  env: Env,
  fd: f64,
  key: Option<BufferSlice>,
  value: BufferSlice,
  flags: Option<BigInt>,
) -> Result<()> {
  let op = "mapUpdateElem";
  let fd = i32_arg(&env, op, "fd", fd)?;
  let shape = map_shape(&env, fd, op)?;
  let kp = shape.key_ptr(&env, op, key.as_deref())?;
  shape.check_value_len(&env, op, "a Buffer of", value.len())?;
  let flags = opt_u64(&env, flags.as_ref(), "flags")?;
  let vp = if value.is_empty() {
    ptr::null()
  } else {
    value.as_ptr().cast()
  };
  // SAFETY: both Buffers have the map's sizes.
  check(&env, unsafe {
    sys::bpfhost_map_update_elem(fd, kp, vp, flags)
  })?;
  Ok(())
}

/// bpfhost_map_delete_elem().
#[napi(js_name = "mapDeleteElem")]
pub fn map_delete_elem(env: Env, fd: f64, key: BufferSlice) -> Result<()> {
  let op = "mapDeleteElem";
  let fd = i32_arg(&env, op, "fd", fd)?;
  let shape = map_shape(&env, fd, op)?;
  let kp = shape.key_ptr(&env, op, Some(&key))?;
  // SAFETY: the key has key_size bytes.
  check(&env, unsafe { sys::bpfhost_map_delete_elem(fd, kp) })?;
  Ok(())
}

/// bpfhost_map_get_next_key(): the key after @key (the first for null), or null at the end.
#[napi(js_name = "mapGetNextKey")]
pub fn map_get_next_key<'env>(
  env: &'env Env,
  fd: f64,
  key: Option<BufferSlice>,
  key_size: f64,
) -> Result<Option<BufferSlice<'env>>> {
  let op = "mapGetNextKey";
  let fd = i32_arg(env, op, "fd", fd)?;
  let key_size = u32_arg(env, op, "keySize", key_size)?;
  let shape = map_shape(env, fd, op)?;
  let kp = shape.key_ptr(env, op, key.as_deref())?;
  shape.check_key_size(env, op, key_size)?;
  let mut out = out_buffer(env, shape.key_size)?;
  // SAFETY: key and next key have key_size bytes.
  let ret = unsafe { sys::bpfhost_map_get_next_key(fd, kp, ptr_of(&mut out)) };
  if ret == -ENOENT {
    return Ok(None);
  }
  check(env, ret)?;
  Ok(Some(out))
}

/// bpfhost_map_lookup_and_delete_elem(): pop for queues/stacks (key null), take for hashes.
#[napi(js_name = "mapLookupAndDeleteElem")]
pub fn map_lookup_and_delete_elem<'env>(
  env: &'env Env,
  fd: f64,
  key: Option<BufferSlice>,
  value_size: f64,
) -> Result<BufferSlice<'env>> {
  let op = "mapLookupAndDeleteElem";
  let fd = i32_arg(env, op, "fd", fd)?;
  let value_size = u32_arg(env, op, "valueSize", value_size)?;
  let shape = map_shape(env, fd, op)?;
  let kp = shape.key_ptr(env, op, key.as_deref())?;
  shape.check_value_len(env, op, "valueSize", value_size as usize)?;
  let mut out = out_buffer(env, shape.value_size)?;
  // SAFETY: the key has key_size bytes, the value room value_size bytes.
  check(env, unsafe {
    sys::bpfhost_map_lookup_and_delete_elem(fd, kp, ptr_of(&mut out))
  })?;
  Ok(out)
}

/// bpfhost_map_freeze(): no more writes from user space.
#[napi(js_name = "mapFreeze")]
pub fn map_freeze(env: Env, fd: f64) -> Result<()> {
  let fd = i32_arg(&env, "mapFreeze", "fd", fd)?;
  // SAFETY: plain handle argument.
  check(&env, unsafe { sys::bpfhost_map_freeze(fd) })?;
  Ok(())
}

#[napi(object)]
pub struct MapBatchOptions {
  pub elem_flags: Option<BigInt>,
  pub flags: Option<BigInt>,
  pub and_delete: Option<bool>,
}

#[napi(object, use_nullable = true)]
pub struct MapBatchResult {
  pub keys: Buffer,
  pub values: Buffer,
  pub count: u32,
  /// The token for the next call, null when the map is exhausted.
  pub out_batch: Option<Buffer>,
  pub done: bool,
}

fn batch_opts(
  env: &Env,
  elem_flags: Option<&BigInt>,
  flags: Option<&BigInt>,
) -> Result<sys::MapBatchOpts> {
  Ok(sys::MapBatchOpts {
    sz: std::mem::size_of::<sys::MapBatchOpts>(),
    elem_flags: opt_u64(env, elem_flags, "elemFlags")?,
    flags: opt_u64(env, flags, "flags")?,
  })
}

/// The batch token: the last key (generic batches) or a u32 bucket (hash maps).
fn token_size(shape: &MapShape) -> usize {
  shape.key_size.max(4)
}

/// bpfhost_map_lookup_batch() (or _and_delete_batch): up to @count entries
/// after @inBatch (null: from the start). `done` when the map is exhausted.
#[napi(js_name = "mapLookupBatch")]
pub fn map_lookup_batch(
  env: Env,
  fd: f64,
  in_batch: Option<BufferSlice>,
  key_size: f64,
  value_size: f64,
  count: f64,
  opts: Option<MapBatchOptions>,
) -> Result<MapBatchResult> {
  let op = "mapLookupBatch";
  let fd = i32_arg(&env, op, "fd", fd)?;
  let key_size = u32_arg(&env, op, "keySize", key_size)?;
  let value_size = u32_arg(&env, op, "valueSize", value_size)?;
  let count = u32_arg(&env, op, "count", count)?;
  let shape = map_shape(&env, fd, op)?;
  shape.check_key_size(&env, op, key_size)?;
  shape.check_value_len(&env, op, "valueSize", value_size as usize)?;
  let tsize = token_size(&shape);
  let mut token_in = vec![0u8; tsize];
  let in_ptr = match in_batch.as_deref() {
    None => ptr::null_mut(),
    Some(t) if t.len() == tsize => {
      token_in.copy_from_slice(t);
      token_in.as_mut_ptr().cast()
    }
    Some(t) => {
      return Err(invalid(
        &env,
        format!(
          "{op}: map '{}' batch tokens are {tsize} bytes (outBatch of the previous call), got a {}-byte Buffer",
          shape.name(),
          t.len()
        ),
      ))
    }
  };
  let o = opts.as_ref();
  let bo = batch_opts(
    &env,
    o.and_then(|o| o.elem_flags.as_ref()),
    o.and_then(|o| o.flags.as_ref()),
  )?;
  let and_delete = o.and_then(|o| o.and_delete).unwrap_or(false);
  let n = count as usize;
  let (Some(klen), Some(vlen)) = (
    n.checked_mul(shape.key_size),
    n.checked_mul(shape.value_size),
  ) else {
    return Err(invalid(&env, format!("{op}: count {count} is too large")));
  };
  let (Some(mut keys), Some(mut values)) = (zeroed(klen.max(1)), zeroed(vlen.max(1))) else {
    return Err(
      CError::new(
        ENOMEM,
        format!("{op}: cannot allocate room for {count} entries"),
      )
      .into_napi(&env),
    );
  };
  let mut token_out = vec![0u8; tsize];
  let mut cnt = count;
  let f = if and_delete {
    sys::bpfhost_map_lookup_and_delete_batch
  } else {
    sys::bpfhost_map_lookup_batch
  };
  // SAFETY: keys/values hold count entries of the map's sizes; tokens are tsize bytes.
  let ret = unsafe {
    f(
      fd,
      in_ptr,
      token_out.as_mut_ptr().cast(),
      keys.as_mut_ptr().cast(),
      values.as_mut_ptr().cast(),
      &mut cnt,
      &bo,
    )
  };
  let done = ret == -ENOENT;
  if !done {
    check(&env, ret)?;
  }
  let cnt = cnt.min(count);
  keys.truncate(cnt as usize * shape.key_size);
  values.truncate(cnt as usize * shape.value_size);
  Ok(MapBatchResult {
    keys: keys.into(),
    values: values.into(),
    count: cnt,
    out_batch: if done { None } else { Some(token_out.into()) },
    done,
  })
}

#[napi(object)]
pub struct MapUpdateBatchOptions {
  pub elem_flags: Option<BigInt>,
  pub flags: Option<BigInt>,
}

fn check_batch_buffers(
  env: &Env,
  op: &str,
  shape: &MapShape,
  keys: &[u8],
  values: Option<&[u8]>,
  count: u32,
) -> Result<()> {
  let n = count as u64;
  if keys.len() as u64 != n * shape.key_size as u64 {
    return Err(invalid(
      env,
      format!(
        "{op}: map '{}': {count} keys of {} bytes need a {}-byte Buffer, got {} bytes",
        shape.name(),
        shape.key_size,
        n * shape.key_size as u64,
        keys.len()
      ),
    ));
  }
  if let Some(v) = values {
    if v.len() as u64 != n * shape.value_size as u64 {
      return Err(invalid(
        env,
        format!(
          "{op}: map '{}': {count} values of {} need a {}-byte Buffer, got {} bytes",
          shape.name(),
          shape.value_desc(),
          n * shape.value_size as u64,
          v.len()
        ),
      ));
    }
  }
  Ok(())
}

fn ptr_or_null(b: &[u8]) -> *const c_void {
  if b.is_empty() {
    ptr::null()
  } else {
    b.as_ptr().cast()
  }
}

/// bpfhost_map_update_batch(): stores @count entries; returns how many were stored.
#[napi(js_name = "mapUpdateBatch")]
pub fn map_update_batch(
  env: Env,
  fd: f64,
  keys: BufferSlice,
  values: BufferSlice,
  count: f64,
  opts: Option<MapUpdateBatchOptions>,
) -> Result<u32> {
  let op = "mapUpdateBatch";
  let fd = i32_arg(&env, op, "fd", fd)?;
  let count = u32_arg(&env, op, "count", count)?;
  let shape = map_shape(&env, fd, op)?;
  check_batch_buffers(&env, op, &shape, &keys, Some(&values), count)?;
  let o = opts.as_ref();
  let bo = batch_opts(
    &env,
    o.and_then(|o| o.elem_flags.as_ref()),
    o.and_then(|o| o.flags.as_ref()),
  )?;
  let mut cnt = count;
  // SAFETY: keys and values hold count entries of the map's sizes.
  check(&env, unsafe {
    sys::bpfhost_map_update_batch(fd, ptr_or_null(&keys), ptr_or_null(&values), &mut cnt, &bo)
  })?;
  Ok(cnt)
}

/// bpfhost_map_delete_batch(): deletes @count keys; returns how many were deleted.
#[napi(js_name = "mapDeleteBatch")]
pub fn map_delete_batch(env: Env, fd: f64, keys: BufferSlice, count: f64) -> Result<u32> {
  let op = "mapDeleteBatch";
  let fd = i32_arg(&env, op, "fd", fd)?;
  let count = u32_arg(&env, op, "count", count)?;
  let shape = map_shape(&env, fd, op)?;
  check_batch_buffers(&env, op, &shape, &keys, None, count)?;
  let bo = batch_opts(&env, None, None)?;
  let mut cnt = count;
  // SAFETY: keys holds count keys of the map's key size.
  check(&env, unsafe {
    sys::bpfhost_map_delete_batch(fd, ptr_or_null(&keys), &mut cnt, &bo)
  })?;
  Ok(cnt)
}

#[napi(object)]
pub struct MapInfo {
  #[napi(js_name = "type")]
  pub map_type: u32,
  pub id: u32,
  pub key_size: u32,
  pub value_size: u32,
  pub max_entries: u32,
  pub map_flags: u32,
  pub name: String,
  /// Ring buffer maps: records discarded by the core because their program ended holding them.
  pub ringbuf_abandoned: u32,
}

/// bpfhost_map_get_info_by_fd().
#[napi(js_name = "mapGetInfo")]
pub fn map_get_info(env: Env, fd: f64) -> Result<MapInfo> {
  let fd = i32_arg(&env, "mapGetInfo", "fd", fd)?;
  let shape = map_shape_full(&env, fd, "mapGetInfo")?;
  let i = &shape.info;
  Ok(MapInfo {
    map_type: i.type_,
    id: i.id,
    key_size: i.key_size,
    value_size: i.value_size,
    max_entries: i.max_entries,
    map_flags: i.map_flags,
    name: from_c_array(&i.name),
    ringbuf_abandoned: i.ringbuf_abandoned,
  })
}

/// bpfhost_num_possible_cpus(): the CPU count of per-CPU value layouts.
#[napi(js_name = "numPossibleCpus")]
pub fn num_possible_cpus() -> u32 {
  num_cpus() as u32
}
