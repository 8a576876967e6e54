//! Programs, links and hooks (bpf.h): load, test run, info, links, hook
//! triggers, section names and the trace log.

use std::os::raw::{c_char, c_int, c_void};
use std::ptr;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::convert::{cstring, from_c, from_c_array, i32_arg, opt_u32_arg, u32_arg, zeroed};
use crate::error::{check, invalid, CError, ENOMEM};
use crate::sys;

/// Room for the load log at level 1 (the refusal and the failing path).
const LOG_SIZE: usize = 64 * 1024;
/// Room for a level 2 log (every instruction the verifier walked, with states).
const LOG_SIZE_ALL: usize = 16 * 1024 * 1024;
const INSN_SIZE: usize = 8;

#[napi(object)]
pub struct ProgLoadOptions {
  /// An integer in [0, 2^32-1].
  pub expected_attach_type: Option<f64>,
  /// Map handles, each an int.
  pub fd_array: Option<Vec<f64>>,
  /// Verify with Linux's rules for unprivileged loads (BPFHOST_F_UNPRIVILEGED).
  pub unprivileged: Option<bool>,
  /// Test-only: load without the static verifier (BPFHOST_F_TEST_UNVERIFIED),
  /// so that tests can reach the run-time checks.
  pub test_unverified: Option<bool>,
  /// The verifier log's level: 0 (the default: a log only for a refusal),
  /// 1 (the failing path; on success, the statistics) or 2 (every
  /// instruction walked, with register states).
  pub log_level: Option<f64>,
}

/// What progLoadWithLog returns: the handle and the verifier's log.
#[napi(object)]
pub struct ProgLoadResult {
  pub fd: i32,
  pub log: String,
}

const BPFHOST_F_UNPRIVILEGED: u32 = 1 << 30;
const BPFHOST_F_TEST_UNVERIFIED: u32 = 1 << 31;

/// bpfhost_prog_load(): loads @insns (raw 8-byte instructions); returns the
/// program's handle. A refusal's message carries the load log (also in `log`).
#[napi(js_name = "progLoad")]
pub fn prog_load(
  env: Env,
  prog_type: f64,
  name: Option<String>,
  license: String,
  insns: BufferSlice,
  opts: Option<ProgLoadOptions>,
) -> Result<i32> {
  load(&env, "progLoad", prog_type, name, license, insns, opts).map(|r| r.fd)
}

/// progLoad that also returns the verifier's log of a load that succeeded
/// (at opts.logLevel 1: its statistics; at 2: every instruction walked).
#[napi(js_name = "progLoadWithLog")]
pub fn prog_load_with_log(
  env: Env,
  prog_type: f64,
  name: Option<String>,
  license: String,
  insns: BufferSlice,
  opts: Option<ProgLoadOptions>,
) -> Result<ProgLoadResult> {
  load(
    &env,
    "progLoadWithLog",
    prog_type,
    name,
    license,
    insns,
    opts,
  )
}

fn load(
  env: &Env,
  op: &str,
  prog_type: f64,
  name: Option<String>,
  license: String,
  insns: BufferSlice,
  opts: Option<ProgLoadOptions>,
) -> Result<ProgLoadResult> {
  let prog_type = u32_arg(env, op, "progType", prog_type)?;
  let expected_attach_type = opt_u32_arg(
    env,
    op,
    "expectedAttachType",
    opts.as_ref().and_then(|o| o.expected_attach_type),
  )?;
  let log_level =
    opt_u32_arg(env, op, "logLevel", opts.as_ref().and_then(|o| o.log_level))?.unwrap_or(0);
  if log_level > 2 {
    return Err(invalid(
      env,
      format!("{op}: logLevel must be 0, 1 or 2, got {log_level}"),
    ));
  }
  let fd_array = opts
    .as_ref()
    .and_then(|o| o.fd_array.as_ref())
    .map(|a| {
      a.iter()
        .enumerate()
        .map(|(i, fd)| i32_arg(env, op, &format!("fdArray[{i}]"), *fd))
        .collect::<Result<Vec<i32>>>()
    })
    .transpose()?;
  if !insns.len().is_multiple_of(INSN_SIZE) {
    return Err(invalid(
      env,
      format!(
        "{op}: instructions are 8 bytes each, got a {}-byte Buffer",
        insns.len()
      ),
    ));
  }
  let mut prog_flags = 0;
  if opts.as_ref().and_then(|o| o.unprivileged).unwrap_or(false) {
    prog_flags |= BPFHOST_F_UNPRIVILEGED;
  }
  if opts
    .as_ref()
    .and_then(|o| o.test_unverified)
    .unwrap_or(false)
  {
    prog_flags |= BPFHOST_F_TEST_UNVERIFIED;
  }
  let cname = name.map(|n| cstring(env, &n, "name")).transpose()?;
  let clicense = cstring(env, &license, "license")?;
  let log_size = if log_level >= 2 {
    LOG_SIZE_ALL
  } else {
    LOG_SIZE
  };
  let mut log = vec![0u8; log_size];
  let o = sys::ProgLoadOpts {
    sz: std::mem::size_of::<sys::ProgLoadOpts>(),
    expected_attach_type: expected_attach_type.unwrap_or(0),
    prog_flags,
    fd_array: fd_array.as_ref().map_or(ptr::null(), |a| a.as_ptr()),
    // Level 1 always: a refusal explains itself even when no log was asked for.
    log_level: log_level.max(1),
    log_size: log_size as u32,
    log_buf: log.as_mut_ptr().cast(),
  };
  let name_ptr = cname.as_ref().map_or(ptr::null(), |c| c.as_ptr());
  let insn_ptr: *const c_void = if insns.is_empty() {
    ptr::null()
  } else {
    insns.as_ptr().cast()
  };
  // SAFETY: strings are NUL-terminated, insns holds insn_cnt instructions,
  // fd_array outlives the call, the log buffer has log_size bytes.
  let ret = unsafe {
    sys::bpfhost_prog_load(
      prog_type,
      name_ptr,
      clicense.as_ptr(),
      insn_ptr,
      insns.len() / INSN_SIZE,
      &o,
    )
  };
  let text = from_c(log.as_ptr() as *const c_char);
  let text = text.trim_end();
  if ret < 0 {
    let mut e = CError::last(ret);
    // A one-line log is the refusal itself; a longer one (the verifier's
    // path) stays in `log`, out of the message.
    if !text.is_empty() && !text.contains('\n') && !e.message.contains(text) {
      e.message = format!("{}\n{text}", e.message);
    }
    e.log = Some(text.to_string());
    return Err(e.into_napi(env));
  }
  Ok(ProgLoadResult {
    fd: ret,
    log: if log_level > 0 {
      text.to_string()
    } else {
      String::new()
    },
  })
}

/// The numbers are integers in [0, 2^32-1] (EINVAL otherwise, never truncated).
#[napi(object)]
pub struct TestRunOptions {
  pub data: Option<Buffer>,
  pub ctx: Option<Buffer>,
  /// Runs (0: once).
  pub repeat: Option<f64>,
  /// Room for the data out (default: the data's size).
  pub data_size_out: Option<f64>,
  /// Room for the context out (default: the context's size).
  pub ctx_size_out: Option<f64>,
  /// Instructions each run may execute (0 or absent: the core's default,
  /// BPFHOST_INSN_BUDGET_DEFAULT); a run past it fails with ELOOP.
  pub insn_budget: Option<f64>,
}

/// Where a test run's redirect verdict (XDP_REDIRECT, TC_ACT_REDIRECT) sends the frame.
#[napi(object)]
#[derive(Clone, Copy)]
pub struct TestRunRedirect {
  /// 1: an ifindex (bpf_redirect), 2: a DEVMAP entry, 3: a broadcast, 4: a CPUMAP entry (bpf_redirect_map).
  pub kind: u32,
  /// The ifindex (kinds 1 and 2) or the CPU (kind 4).
  pub target: u32,
  /// The map's id (kinds 2, 3 and 4; 0 for kind 1).
  pub map_id: u32,
  /// The map's key (kinds 2 and 4).
  pub key: u32,
  /// The helper's flags (BPF_F_INGRESS, BPF_F_BROADCAST, ...).
  pub flags: u32,
}

#[napi(object, use_nullable = true)]
pub struct TestRunResult {
  pub retval: u32,
  pub data: Option<Buffer>,
  pub ctx: Option<Buffer>,
  pub duration_ns: u32,
  /// Set when the verdict redirects (null otherwise).
  pub redirect: Option<TestRunRedirect>,
}

/// One test run's inputs, copied: an async run reads them off the JS thread.
pub struct TestRunInput {
  fd: i32,
  data: Vec<u8>,
  ctx: Vec<u8>,
  repeat: u32,
  data_room: usize,
  ctx_room: usize,
  insn_budget: u32,
}

/// What a test run gives back, before it becomes JS values.
pub struct TestRunOutput {
  retval: u32,
  data: Option<Vec<u8>>,
  ctx: Option<Vec<u8>>,
  duration_ns: u32,
  redirect: Option<TestRunRedirect>,
}

fn test_run_input(
  env: &Env,
  op: &str,
  fd: f64,
  opts: Option<TestRunOptions>,
) -> Result<TestRunInput> {
  let fd = i32_arg(env, op, "fd", fd)?;
  let o = opts.unwrap_or(TestRunOptions {
    data: None,
    ctx: None,
    repeat: None,
    data_size_out: None,
    ctx_size_out: None,
    insn_budget: None,
  });
  let repeat = opt_u32_arg(env, op, "repeat", o.repeat)?;
  let data_size_out = opt_u32_arg(env, op, "dataSizeOut", o.data_size_out)?;
  let ctx_size_out = opt_u32_arg(env, op, "ctxSizeOut", o.ctx_size_out)?;
  let insn_budget = opt_u32_arg(env, op, "insnBudget", o.insn_budget)?;
  for (b, what) in [(&o.data, "data"), (&o.ctx, "ctx")] {
    if b.as_ref().is_some_and(|b| b.len() > u32::MAX as usize) {
      return Err(invalid(env, format!("{op}: {what} is over 4 GiB")));
    }
  }
  let data = o.data.as_deref().map(<[u8]>::to_vec).unwrap_or_default();
  let ctx = o.ctx.as_deref().map(<[u8]>::to_vec).unwrap_or_default();
  Ok(TestRunInput {
    fd,
    data_room: data_size_out.map_or(data.len(), |n| n as usize),
    ctx_room: ctx_size_out.map_or(ctx.len(), |n| n as usize),
    data,
    ctx,
    repeat: repeat.unwrap_or(0),
    insn_budget: insn_budget.unwrap_or(0),
  })
}

fn in_ptr(b: &[u8]) -> *const c_void {
  if b.is_empty() {
    ptr::null()
  } else {
    b.as_ptr().cast()
  }
}

fn out_ptr(b: &mut [u8]) -> *mut c_void {
  if b.is_empty() {
    ptr::null_mut()
  } else {
    b.as_mut_ptr().cast()
  }
}

/// bpfhost_prog_test_run_opts() on @input; on any thread (the core is thread-safe).
fn run_test(input: &TestRunInput) -> std::result::Result<TestRunOutput, CError> {
  let room = |n: usize, what: &str| {
    zeroed(n).ok_or_else(|| CError::new(ENOMEM, format!("cannot allocate {n} bytes for {what}")))
  };
  let mut data_out = room(input.data_room, "the data out (dataSizeOut)")?;
  let mut ctx_out = room(input.ctx_room, "the context out (ctxSizeOut)")?;
  let mut t = sys::TestRunOpts {
    sz: std::mem::size_of::<sys::TestRunOpts>(),
    data_in: in_ptr(&input.data),
    data_out: out_ptr(&mut data_out),
    data_size_in: input.data.len() as u32,
    data_size_out: input.data_room as u32,
    ctx_in: in_ptr(&input.ctx),
    ctx_out: out_ptr(&mut ctx_out),
    ctx_size_in: input.ctx.len() as u32,
    ctx_size_out: input.ctx_room as u32,
    retval: 0,
    // The C option is an int carrying the u32 of bpf_attr: the same bits.
    repeat: input.repeat as c_int,
    duration: 0,
    flags: 0,
    cpu: 0,
    batch_size: 0,
    insn_budget: input.insn_budget,
    redirect_kind: 0,
    redirect_target: 0,
    redirect_map_id: 0,
    redirect_key: 0,
    redirect_flags: 0,
  };
  // SAFETY: inputs live through the call; outputs have the sizes passed.
  let ret = unsafe { sys::bpfhost_prog_test_run_opts(input.fd, &mut t) };
  if ret < 0 {
    // The core's message is per thread: read it on the thread that ran.
    return Err(CError::last(ret));
  }
  let data = (input.data_room > 0).then(|| {
    data_out.truncate((t.data_size_out as usize).min(input.data_room));
    data_out
  });
  let ctx = (input.ctx_room > 0).then(|| {
    ctx_out.truncate((t.ctx_size_out as usize).min(input.ctx_room));
    ctx_out
  });
  Ok(TestRunOutput {
    retval: t.retval,
    data,
    ctx,
    duration_ns: t.duration,
    redirect: (t.redirect_kind != 0).then_some(TestRunRedirect {
      kind: t.redirect_kind,
      target: t.redirect_target,
      map_id: t.redirect_map_id,
      key: t.redirect_key,
      flags: t.redirect_flags,
    }),
  })
}

impl From<TestRunOutput> for TestRunResult {
  fn from(o: TestRunOutput) -> Self {
    TestRunResult {
      retval: o.retval,
      data: o.data.map(Buffer::from),
      ctx: o.ctx.map(Buffer::from),
      duration_ns: o.duration_ns,
      redirect: o.redirect,
    }
  }
}

/// bpfhost_prog_test_run_opts(): runs the program on @data/@ctx (@repeat times).
#[napi(js_name = "progTestRun")]
pub fn prog_test_run(env: Env, fd: f64, opts: Option<TestRunOptions>) -> Result<TestRunResult> {
  let input = test_run_input(&env, "progTestRun", fd, opts)?;
  run_test(&input)
    .map(TestRunResult::from)
    .map_err(|e| e.into_napi(&env))
}

/// A test run on the libuv thread pool (progTestRunAsync).
pub struct TestRunTask {
  input: TestRunInput,
}

impl Task for TestRunTask {
  type Output = std::result::Result<TestRunOutput, CError>;
  type JsValue = TestRunResult;

  fn compute(&mut self) -> Result<Self::Output> {
    Ok(run_test(&self.input))
  }

  fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
    output
      .map(TestRunResult::from)
      .map_err(|e| e.into_napi(&env))
  }
}

/// As progTestRun, off the JS thread: a long run (a big `repeat`) does not block the event loop.
#[napi(
  js_name = "progTestRunAsync",
  ts_return_type = "Promise<TestRunResult>"
)]
pub fn prog_test_run_async(
  env: Env,
  fd: f64,
  opts: Option<TestRunOptions>,
) -> Result<AsyncTask<TestRunTask>> {
  let input = test_run_input(&env, "progTestRunAsync", fd, opts)?;
  Ok(AsyncTask::new(TestRunTask { input }))
}

#[napi(object)]
pub struct ProgInfo {
  #[napi(js_name = "type")]
  pub prog_type: u32,
  pub id: u32,
  pub name: String,
  pub tag: Buffer,
  pub insn_cnt: u32,
  pub map_ids: Vec<u32>,
  pub run_cnt: BigInt,
  pub run_time_ns: BigInt,
}

/// One BPF_OBJ_GET_INFO_BY_FD into @info; the length the core wrote tells the object's kind.
fn prog_info_into(fd: c_int, info: &mut sys::BpfProgInfo) -> std::result::Result<u32, c_int> {
  let mut len = std::mem::size_of::<sys::BpfProgInfo>() as u32;
  // SAFETY: info is a complete struct bpf_prog_info; map_ids (if set) has nr_map_ids slots,
  // xlated_prog_insns (if set) has xlated_prog_len bytes.
  let ret = unsafe { sys::bpfhost_prog_get_info_by_fd(fd, info, &mut len) };
  if ret < 0 {
    Err(ret)
  } else {
    Ok(len)
  }
}

/// bpfhost_prog_get_info_by_fd().
#[napi(js_name = "progGetInfo")]
pub fn prog_get_info(env: Env, fd: f64) -> Result<ProgInfo> {
  let fd = i32_arg(&env, "progGetInfo", "fd", fd)?;
  // First without arrays: the length written tells a program from other
  // objects (whose info would refuse the map_ids pointer as non-zero tail bytes).
  let mut info = sys::BpfProgInfo::default();
  let len = prog_info_into(fd, &mut info).map_err(|r| CError::last(r).into_napi(&env))?;
  if len as usize != std::mem::size_of::<sys::BpfProgInfo>() {
    return Err(invalid(
      &env,
      format!("progGetInfo: handle {fd} is not a program"),
    ));
  }
  let mut ids: Vec<u32> = Vec::new();
  while ids.len() < info.nr_map_ids as usize {
    ids = vec![0u32; info.nr_map_ids as usize];
    info = sys::BpfProgInfo {
      nr_map_ids: ids.len() as u32,
      map_ids: ids.as_mut_ptr() as u64,
      ..Default::default()
    };
    prog_info_into(fd, &mut info).map_err(|r| CError::last(r).into_napi(&env))?;
  }
  ids.truncate(info.nr_map_ids as usize);
  Ok(ProgInfo {
    prog_type: info.type_,
    id: info.id,
    name: from_c_array(&info.name),
    tag: info.tag.to_vec().into(),
    insn_cnt: info.xlated_prog_len / INSN_SIZE as u32,
    map_ids: ids,
    run_cnt: BigInt::from(info.run_cnt),
    run_time_ns: BigInt::from(info.run_time_ns),
  })
}

/// The program's instructions as the core holds them, as loaded
/// (BPF_OBJ_GET_INFO_BY_FD with xlated_prog_insns): 8 bytes each.
#[napi(js_name = "progGetXlated")]
pub fn prog_get_xlated(env: Env, fd: f64) -> Result<Buffer> {
  let fd = i32_arg(&env, "progGetXlated", "fd", fd)?;
  let mut info = sys::BpfProgInfo::default();
  let len = prog_info_into(fd, &mut info).map_err(|r| CError::last(r).into_napi(&env))?;
  if len as usize != std::mem::size_of::<sys::BpfProgInfo>() {
    return Err(invalid(
      &env,
      format!("progGetXlated: handle {fd} is not a program"),
    ));
  }
  let mut insns = vec![0u8; info.xlated_prog_len as usize];
  info = sys::BpfProgInfo {
    xlated_prog_len: insns.len() as u32,
    xlated_prog_insns: insns.as_mut_ptr() as u64,
    ..Default::default()
  };
  prog_info_into(fd, &mut info).map_err(|r| CError::last(r).into_napi(&env))?;
  // A program does not change after load: the second call reports the same length.
  insns.truncate(info.xlated_prog_len as usize);
  Ok(insns.into())
}

#[napi(object)]
pub struct LinkCreateOptions {
  /// Instructions each run of the linked program may execute (0 or absent:
  /// the core's default, BPFHOST_INSN_BUDGET_DEFAULT): an integer in [0, 2^32-1].
  pub insn_budget: Option<f64>,
}

/// bpfhost_link_create(): attaches program @progFd to the hook of @attachType; returns the link.
#[napi(js_name = "linkCreate")]
pub fn link_create(
  env: Env,
  prog_fd: f64,
  attach_type: f64,
  target_fd: Option<f64>,
  opts: Option<LinkCreateOptions>,
) -> Result<i32> {
  let op = "linkCreate";
  let prog_fd = i32_arg(&env, op, "progFd", prog_fd)?;
  let attach_type = u32_arg(&env, op, "attachType", attach_type)?;
  let target_fd = target_fd
    .map(|fd| i32_arg(&env, op, "targetFd", fd))
    .transpose()?;
  let insn_budget = opt_u32_arg(&env, op, "insnBudget", opts.and_then(|o| o.insn_budget))?;
  let o = sys::LinkCreateOpts {
    sz: std::mem::size_of::<sys::LinkCreateOpts>(),
    flags: 0,
    insn_budget: insn_budget.unwrap_or(0),
  };
  // SAFETY: plain arguments and a complete opts struct.
  check(&env, unsafe {
    sys::bpfhost_link_create(prog_fd, target_fd.unwrap_or(0), attach_type, &o)
  })
}

/// bpfhost_link_detach(): the program leaves the hook (the link handle stays open).
#[napi(js_name = "linkDetach")]
pub fn link_detach(env: Env, link_fd: f64) -> Result<()> {
  let link_fd = i32_arg(&env, "linkDetach", "linkFd", link_fd)?;
  // SAFETY: plain handle argument.
  check(&env, unsafe { sys::bpfhost_link_detach(link_fd) })?;
  Ok(())
}

#[napi(object)]
pub struct LinkInfo {
  pub id: u32,
  pub prog_id: u32,
  pub attach_type: u32,
}

/// bpfhost_link_get_info_by_fd().
#[napi(js_name = "linkGetInfo")]
pub fn link_get_info(env: Env, fd: f64) -> Result<LinkInfo> {
  let fd = i32_arg(&env, "linkGetInfo", "fd", fd)?;
  // Room for a program's info: the length written says what @fd is.
  let mut info = sys::BpfProgInfo::default();
  let len = prog_info_into(fd, &mut info).map_err(|r| CError::last(r).into_napi(&env))?;
  if len as usize != std::mem::size_of::<sys::BpfLinkInfo>() {
    return Err(invalid(
      &env,
      format!("linkGetInfo: handle {fd} is not a link"),
    ));
  }
  // SAFETY: the core wrote a struct bpf_link_info at the start of info.
  let link: sys::BpfLinkInfo = unsafe { ptr::read(ptr::addr_of!(info).cast()) };
  Ok(LinkInfo {
    id: link.id,
    prog_id: link.prog_id,
    attach_type: link.attach_type,
  })
}

#[napi(object)]
pub struct HookTriggerResult {
  pub prog_cnt: u32,
  pub retval: u32,
}

/// bpfhost_hook_trigger(): fires the hook of @attachType with @data.
#[napi(js_name = "hookTrigger")]
pub fn hook_trigger(
  env: Env,
  attach_type: f64,
  data: Option<BufferSlice>,
) -> Result<HookTriggerResult> {
  let attach_type = u32_arg(&env, "hookTrigger", "attachType", attach_type)?;
  let (p, n): (*const c_void, u32) = match data.as_deref() {
    Some(d) if !d.is_empty() => {
      if d.len() > u32::MAX as usize {
        return Err(invalid(&env, "hookTrigger: data is over 4 GiB"));
      }
      (d.as_ptr().cast(), d.len() as u32)
    }
    _ => (ptr::null(), 0),
  };
  let (mut prog_cnt, mut retval) = (0u32, 0u32);
  // SAFETY: data has n bytes; outputs are plain u32s.
  check(&env, unsafe {
    sys::bpfhost_hook_trigger(attach_type, p, n, &mut prog_cnt, &mut retval)
  })?;
  Ok(HookTriggerResult { prog_cnt, retval })
}

#[napi(object)]
pub struct SectionType {
  pub prog_type: u32,
  pub expected_attach_type: u32,
}

/// bpfhost_prog_type_by_section(): the program and attach type a section name selects.
#[napi(js_name = "progTypeBySection")]
pub fn prog_type_by_section(env: Env, section: String) -> Result<SectionType> {
  let c = cstring(&env, &section, "section")?;
  let (mut prog_type, mut expected_attach_type) = (0u32, 0u32);
  // SAFETY: NUL-terminated name; outputs are plain u32s.
  check(&env, unsafe {
    sys::bpfhost_prog_type_by_section(c.as_ptr(), &mut prog_type, &mut expected_attach_type)
  })?;
  Ok(SectionType {
    prog_type,
    expected_attach_type,
  })
}

#[napi(object)]
pub struct TypeHelper {
  pub id: u32,
  /// As the core's table has it ("bpf_map_lookup_elem"), an extension's as registered.
  pub name: String,
}

/// bpfhost_prog_type_helpers(): the helpers programs of @type may call, Linux's
/// ids ascending, then the type's own.
#[napi(js_name = "progTypeHelpers")]
pub fn prog_type_helpers(env: Env, prog_type: f64) -> Result<Vec<TypeHelper>> {
  let t = u32_arg(&env, "progTypeHelpers", "type", prog_type)?;
  let (mut ids, mut names) = (Vec::<u32>::new(), Vec::<u8>::new());
  // Sized by a first call; an extension loaded in between makes it grow: ask again.
  loop {
    let mut needed = 0u32;
    // SAFETY: ids and names have the lengths passed.
    let n = check(&env, unsafe {
      sys::bpfhost_prog_type_helpers(
        t,
        ids.as_mut_ptr(),
        ids.len() as u32,
        names.as_mut_ptr().cast(),
        names.len() as u32,
        &mut needed,
      )
    })? as usize;
    if n <= ids.len() && needed as usize <= names.len() {
      ids.truncate(n);
      names.truncate(needed as usize);
      break;
    }
    ids = vec![0; n];
    names = vec![0; needed as usize];
  }
  let mut out = Vec::with_capacity(ids.len());
  for (id, name) in ids.into_iter().zip(names.split(|b| *b == 0)) {
    out.push(TypeHelper {
      id,
      name: String::from_utf8_lossy(name).into_owned(),
    });
  }
  Ok(out)
}

/// bpfhost_trace_read(): drains the bpf_trace_printk log ("" when empty).
#[napi(js_name = "traceRead")]
pub fn trace_read(env: Env) -> Result<String> {
  let mut out = Vec::new();
  let mut buf = vec![0u8; 64 * 1024];
  loop {
    // SAFETY: buf has buf.len() bytes.
    let n = check(&env, unsafe {
      sys::bpfhost_trace_read(buf.as_mut_ptr().cast(), buf.len() as u32)
    })? as usize;
    if n == 0 {
      break;
    }
    out.extend_from_slice(&buf[..n.min(buf.len())]);
  }
  Ok(String::from_utf8_lossy(&out).into_owned())
}
