//! The C library's declarations, written by hand from
//! packages/kernel/include/bpfhost/{bpfhost.h,bpf.h,libbpf.h,asm.h,uapi.h}.
//! Struct layouts are the C ones exactly (checked by the size assertions at
//! the end); opts structs carry their size in `sz` first.

use std::os::raw::{c_char, c_int, c_uint, c_void};

pub const BPF_OBJ_NAME_LEN: usize = 16;

#[repr(C)]
#[derive(Default)]
pub struct MapCreateOpts {
  pub sz: usize,
  pub map_flags: u32,
  pub inner_map_fd: u32,
  pub numa_node: u32,
  pub btf_fd: u32,
  pub btf_key_type_id: u32,
  pub btf_value_type_id: u32,
  pub map_extra: u64,
}

#[repr(C)]
#[derive(Default)]
pub struct MapBatchOpts {
  pub sz: usize,
  pub elem_flags: u64,
  pub flags: u64,
}

#[repr(C)]
pub struct ProgLoadOpts {
  pub sz: usize,
  pub expected_attach_type: u32,
  pub prog_flags: u32,
  pub fd_array: *const c_int,
  pub log_level: u32,
  pub log_size: u32,
  pub log_buf: *mut c_char,
}

#[repr(C)]
pub struct TestRunOpts {
  pub sz: usize,
  pub data_in: *const c_void,
  pub data_out: *mut c_void,
  pub data_size_in: u32,
  pub data_size_out: u32,
  pub ctx_in: *const c_void,
  pub ctx_out: *mut c_void,
  pub ctx_size_in: u32,
  pub ctx_size_out: u32,
  pub retval: u32,
  pub repeat: c_int,
  pub duration: u32,
  pub flags: u32,
  pub cpu: u32,
  pub batch_size: u32,
  /// Instructions per run; 0: BPFHOST_INSN_BUDGET_DEFAULT.
  pub insn_budget: u32,
  /// Out: where a redirect verdict sends the frame (BPFHOST_REDIRECT_*, 0: none).
  pub redirect_kind: u32,
  pub redirect_target: u32,
  pub redirect_map_id: u32,
  pub redirect_key: u32,
  pub redirect_flags: u32,
}

#[repr(C)]
pub struct LinkCreateOpts {
  pub sz: usize,
  pub flags: u32,
  /// Instructions per run of the linked program; 0: BPFHOST_INSN_BUDGET_DEFAULT.
  pub insn_budget: u32,
}

#[repr(C)]
pub struct ObjectOpenOpts {
  pub sz: usize,
  pub object_name: *const c_char,
  pub pin_root_path: *const c_char,
  pub kconfig: *const c_char,
  pub btf_custom_path: *const c_char,
}

#[repr(C)]
pub struct RingBufferOpts {
  pub sz: usize,
}

/// struct bpfhost_map_shape (bpf.h).
#[repr(C)]
#[derive(Default)]
pub struct BpfhostMapShape {
  pub map_type: u32,
  pub key_size: u32,
  pub value_size: u32,
  pub max_entries: u32,
  pub map_flags: u32,
}

/// struct bpf_map_info (uapi.h, Linux's layout).
#[repr(C, align(8))]
#[derive(Default)]
pub struct BpfMapInfo {
  pub type_: u32,
  pub id: u32,
  pub key_size: u32,
  pub value_size: u32,
  pub max_entries: u32,
  pub map_flags: u32,
  pub name: [c_char; BPF_OBJ_NAME_LEN],
  pub ifindex: u32,
  pub btf_vmlinux_value_type_id: u32,
  pub netns_dev: u64,
  pub netns_ino: u64,
  pub btf_id: u32,
  pub btf_key_type_id: u32,
  pub btf_value_type_id: u32,
  pub btf_vmlinux_id: u32,
  pub map_extra: u64,
  pub hash: u64,
  pub hash_size: u32,
  /// Ring buffer records the core discarded because their program ended holding them.
  pub ringbuf_abandoned: u32,
}

/// struct bpf_prog_info (uapi.h, Linux's layout).
#[repr(C, align(8))]
#[derive(Default)]
pub struct BpfProgInfo {
  pub type_: u32,
  pub id: u32,
  pub tag: [u8; 8],
  pub jited_prog_len: u32,
  pub xlated_prog_len: u32,
  pub jited_prog_insns: u64,
  pub xlated_prog_insns: u64,
  pub load_time: u64,
  pub created_by_uid: u32,
  pub nr_map_ids: u32,
  pub map_ids: u64,
  pub name: [c_char; BPF_OBJ_NAME_LEN],
  pub ifindex: u32,
  pub gpl_compatible: u32, // bit 0; 31 bits reserved
  pub netns_dev: u64,
  pub netns_ino: u64,
  pub nr_jited_ksyms: u32,
  pub nr_jited_func_lens: u32,
  pub jited_ksyms: u64,
  pub jited_func_lens: u64,
  pub btf_id: u32,
  pub func_info_rec_size: u32,
  pub func_info: u64,
  pub nr_func_info: u32,
  pub nr_line_info: u32,
  pub line_info: u64,
  pub jited_line_info: u64,
  pub nr_jited_line_info: u32,
  pub line_info_rec_size: u32,
  pub jited_line_info_rec_size: u32,
  pub nr_prog_tags: u32,
  pub prog_tags: u64,
  pub run_time_ns: u64,
  pub run_cnt: u64,
  pub recursion_misses: u64,
  pub verified_insns: u32,
  pub attach_btf_obj_id: u32,
  pub attach_btf_id: u32,
  /// The C struct's tail padding, spelled out so it is zero (the core
  /// refuses non-zero bytes past what it knows).
  pub _pad: u32,
}

/// struct bpf_link_info (uapi.h; bpfhost's fields).
#[repr(C, align(8))]
#[derive(Default)]
pub struct BpfLinkInfo {
  pub type_: u32,
  pub id: u32,
  pub prog_id: u32,
  pub attach_type: u32,
}

/// struct bpfhost_btf_type (libbpf.h): one decoded BTF type.
#[repr(C)]
pub struct BtfType {
  pub id: u32,
  pub kind: u32,
  pub name: *const c_char,
  pub kind_flag: bool,
  pub size: u32,
  pub type_: u32,
  pub vlen: u32,
  pub int_encoding: u32,
  pub int_offset: u32,
  pub int_bits: u32,
  pub elem_type: u32,
  pub index_type: u32,
  pub nelems: u32,
  pub linkage: u32,
  pub component_idx: i32,
  pub members: *const BtfMember,
  pub values: *const BtfEnumValue,
  pub params: *const BtfParam,
  pub secinfos: *const BtfVarSecinfo,
}

#[repr(C)]
pub struct BtfMember {
  pub name: *const c_char,
  pub type_: u32,
  pub bit_offset: u32,
  pub bitfield_size: u32,
}

#[repr(C)]
pub struct BtfEnumValue {
  pub name: *const c_char,
  pub value: u64,
}

#[repr(C)]
pub struct BtfParam {
  pub name: *const c_char,
  pub type_: u32,
}

#[repr(C)]
pub struct BtfVarSecinfo {
  pub type_: u32,
  pub offset: u32,
  pub size: u32,
}

/// Opaque library objects.
#[repr(C)]
pub struct Object {
  _private: [u8; 0],
}
#[repr(C)]
pub struct Map {
  _private: [u8; 0],
}
#[repr(C)]
pub struct Program {
  _private: [u8; 0],
}
#[repr(C)]
pub struct Btf {
  _private: [u8; 0],
}
#[repr(C)]
pub struct RingBuffer {
  _private: [u8; 0],
}

#[repr(C)]
pub struct PerfBuffer {
  _private: [u8; 0],
}

pub type PerfBufferSampleFn =
  unsafe extern "C" fn(ctx: *mut c_void, cpu: c_int, data: *mut c_void, size: u32);
pub type PerfBufferLostFn = unsafe extern "C" fn(ctx: *mut c_void, cpu: c_int, cnt: u64);

pub type RingBufferSampleFn =
  unsafe extern "C" fn(ctx: *mut c_void, data: *mut c_void, size: usize) -> c_int;

pub const BPFHOST_UNLOAD_FORCE: c_uint = 0x1;

extern "C" {
  // bpfhost.h
  pub fn bpfhost_last_error() -> *const c_char;
  pub fn bpfhost_extension_load(path: *const c_char) -> c_int;
  pub fn bpfhost_extension_unload(module: c_int, flags: c_uint) -> c_int;
  pub fn bpfhost_num_possible_cpus() -> c_int;
  pub fn bpfhost_handle_count() -> c_int;

  // bpf.h: maps
  pub fn bpfhost_map_create(
    map_type: u32,
    map_name: *const c_char,
    key_size: u32,
    value_size: u32,
    max_entries: u32,
    opts: *const MapCreateOpts,
  ) -> c_int;
  pub fn bpfhost_map_lookup_elem_flags(
    fd: c_int,
    key: *const c_void,
    value: *mut c_void,
    flags: u64,
  ) -> c_int;
  pub fn bpfhost_map_lookup_elem_sized(
    fd: c_int,
    key: *const c_void,
    key_size: u32,
    value: *mut c_void,
    value_size: u32,
    flags: u64,
  ) -> c_int;
  pub fn bpfhost_map_update_elem_sized(
    fd: c_int,
    key: *const c_void,
    key_size: u32,
    value: *const c_void,
    value_size: u32,
    flags: u64,
  ) -> c_int;
  pub fn bpfhost_map_update_elem(
    fd: c_int,
    key: *const c_void,
    value: *const c_void,
    flags: u64,
  ) -> c_int;
  pub fn bpfhost_map_delete_elem(fd: c_int, key: *const c_void) -> c_int;
  pub fn bpfhost_map_get_next_key(fd: c_int, key: *const c_void, next_key: *mut c_void) -> c_int;
  pub fn bpfhost_map_lookup_and_delete_elem(
    fd: c_int,
    key: *const c_void,
    value: *mut c_void,
  ) -> c_int;
  pub fn bpfhost_map_freeze(fd: c_int) -> c_int;
  pub fn bpfhost_map_lookup_batch(
    fd: c_int,
    in_batch: *mut c_void,
    out_batch: *mut c_void,
    keys: *mut c_void,
    values: *mut c_void,
    count: *mut u32,
    opts: *const MapBatchOpts,
  ) -> c_int;
  pub fn bpfhost_map_lookup_and_delete_batch(
    fd: c_int,
    in_batch: *mut c_void,
    out_batch: *mut c_void,
    keys: *mut c_void,
    values: *mut c_void,
    count: *mut u32,
    opts: *const MapBatchOpts,
  ) -> c_int;
  pub fn bpfhost_map_update_batch(
    fd: c_int,
    keys: *const c_void,
    values: *const c_void,
    count: *mut u32,
    opts: *const MapBatchOpts,
  ) -> c_int;
  pub fn bpfhost_map_delete_batch(
    fd: c_int,
    keys: *const c_void,
    count: *mut u32,
    opts: *const MapBatchOpts,
  ) -> c_int;
  pub fn bpfhost_map_get_info_by_fd(fd: c_int, info: *mut BpfMapInfo, info_len: *mut u32) -> c_int;
  pub fn bpfhost_map_shape(fd: c_int, shape: *mut BpfhostMapShape) -> c_int;

  // bpf.h: ids, pins, handles
  pub fn bpfhost_obj_pin(fd: c_int, pathname: *const c_char) -> c_int;
  pub fn bpfhost_obj_get(pathname: *const c_char) -> c_int;
  pub fn bpfhost_obj_unpin(pathname: *const c_char) -> c_int;
  pub fn bpfhost_map_get_next_id(start_id: u32, next_id: *mut u32) -> c_int;
  pub fn bpfhost_map_get_fd_by_id(id: u32) -> c_int;
  pub fn bpfhost_prog_get_next_id(start_id: u32, next_id: *mut u32) -> c_int;
  pub fn bpfhost_prog_get_fd_by_id(id: u32) -> c_int;
  pub fn bpfhost_link_get_next_id(start_id: u32, next_id: *mut u32) -> c_int;
  pub fn bpfhost_link_get_fd_by_id(id: u32) -> c_int;
  pub fn bpfhost_close(fd: c_int) -> c_int;

  // bpf.h: programs, links, hooks
  pub fn bpfhost_prog_load(
    prog_type: u32,
    prog_name: *const c_char,
    license: *const c_char,
    insns: *const c_void,
    insn_cnt: usize,
    opts: *const ProgLoadOpts,
  ) -> c_int;
  pub fn bpfhost_prog_test_run_opts(prog_fd: c_int, opts: *mut TestRunOpts) -> c_int;
  pub fn bpfhost_link_create(
    prog_fd: c_int,
    target_fd: c_int,
    attach_type: u32,
    opts: *const LinkCreateOpts,
  ) -> c_int;
  pub fn bpfhost_link_detach(link_fd: c_int) -> c_int;
  pub fn bpfhost_prog_get_info_by_fd(
    fd: c_int,
    info: *mut BpfProgInfo,
    info_len: *mut u32,
  ) -> c_int;
  pub fn bpfhost_prog_type_by_section(
    section: *const c_char,
    prog_type: *mut u32,
    expected_attach_type: *mut u32,
  ) -> c_int;
  pub fn bpfhost_prog_type_helpers(
    prog_type: u32,
    ids: *mut u32,
    cap: u32,
    names: *mut c_char,
    names_size: u32,
    names_needed: *mut u32,
  ) -> c_int;
  pub fn bpfhost_hook_trigger(
    attach_type: u32,
    data: *const c_void,
    data_size: u32,
    prog_cnt: *mut u32,
    retval: *mut u32,
  ) -> c_int;
  pub fn bpfhost_ringbuf_wake_all(map_fd: c_int) -> c_int;
  pub fn bpfhost_ringbuf_wait(map_fd: c_int, timeout_ms: c_int) -> c_int;
  pub fn bpfhost_trace_read(buf: *mut c_char, size: u32) -> c_int;

  // libbpf.h: objects
  pub fn bpfhost_object__open_file(path: *const c_char, opts: *const ObjectOpenOpts)
    -> *mut Object;
  pub fn bpfhost_object__open_mem(
    buf: *const c_void,
    size: usize,
    opts: *const ObjectOpenOpts,
  ) -> *mut Object;
  pub fn bpfhost_object__load(obj: *mut Object) -> c_int;
  pub fn bpfhost_object__close(obj: *mut Object);
  pub fn bpfhost_object__name(obj: *const Object) -> *const c_char;
  pub fn bpfhost_object__btf(obj: *const Object) -> *mut Btf;
  pub fn bpfhost_object__next_map(obj: *const Object, map: *const Map) -> *mut Map;
  pub fn bpfhost_object__next_program(obj: *const Object, prog: *const Program) -> *mut Program;
  pub fn bpfhost_map__name(map: *const Map) -> *const c_char;
  pub fn bpfhost_map__type(map: *const Map) -> u32;
  pub fn bpfhost_map__key_size(map: *const Map) -> u32;
  pub fn bpfhost_map__value_size(map: *const Map) -> u32;
  pub fn bpfhost_map__max_entries(map: *const Map) -> u32;
  pub fn bpfhost_map__map_flags(map: *const Map) -> u32;
  pub fn bpfhost_map__fd(map: *const Map) -> c_int;
  pub fn bpfhost_map__btf_key_type_id(map: *const Map) -> u32;
  pub fn bpfhost_map__btf_value_type_id(map: *const Map) -> u32;
  pub fn bpfhost_map__is_internal(map: *const Map) -> bool;
  pub fn bpfhost_program__name(prog: *const Program) -> *const c_char;
  pub fn bpfhost_program__section_name(prog: *const Program) -> *const c_char;
  pub fn bpfhost_program__type(prog: *const Program) -> u32;
  pub fn bpfhost_program__expected_attach_type(prog: *const Program) -> u32;
  pub fn bpfhost_program__fd(prog: *const Program) -> c_int;
  pub fn bpfhost_program__insn_cnt(prog: *const Program) -> usize;
  pub fn bpfhost_program__log(prog: *const Program) -> *const c_char;

  // libbpf.h: the open phase
  pub fn bpfhost_object__find_map_by_name(obj: *const Object, name: *const c_char) -> *mut Map;
  pub fn bpfhost_object__find_program_by_name(
    obj: *const Object,
    name: *const c_char,
  ) -> *mut Program;
  pub fn bpfhost_object__find_variable(
    obj: *const Object,
    name: *const c_char,
    size: *mut usize,
    map: *mut *mut Map,
    btf_type_id: *mut u32,
  ) -> *const c_void;
  pub fn bpfhost_object__set_variable(
    obj: *mut Object,
    name: *const c_char,
    data: *const c_void,
    size: usize,
  ) -> c_int;
  pub fn bpfhost_map__set_max_entries(map: *mut Map, max_entries: u32) -> c_int;
  pub fn bpfhost_map__set_map_flags(map: *mut Map, flags: u32) -> c_int;
  pub fn bpfhost_map__set_value_size(map: *mut Map, size: u32) -> c_int;
  pub fn bpfhost_map__set_inner_map_fd(map: *mut Map, fd: c_int) -> c_int;
  pub fn bpfhost_map__set_pin_path(map: *mut Map, path: *const c_char) -> c_int;
  pub fn bpfhost_map__pin_path(map: *const Map) -> *const c_char;
  pub fn bpfhost_map__initial_value(map: *const Map, size: *mut usize) -> *const c_void;
  pub fn bpfhost_map__set_initial_value(map: *mut Map, data: *const c_void, size: usize) -> c_int;
  pub fn bpfhost_program__set_type(prog: *mut Program, prog_type: u32) -> c_int;
  pub fn bpfhost_program__set_expected_attach_type(prog: *mut Program, attach_type: u32) -> c_int;
  pub fn bpfhost_program__autoload(prog: *const Program) -> bool;
  pub fn bpfhost_program__set_autoload(prog: *mut Program, autoload: bool) -> c_int;
  pub fn bpfhost_program__set_log_level(prog: *mut Program, log_level: u32) -> c_int;
  pub fn bpfhost_program__source_line(
    prog: *const Program,
    insn: u32,
    file: *mut *const c_char,
    line: *mut u32,
    col: *mut u32,
    text: *mut *const c_char,
  ) -> c_int;

  // libbpf.h: BTF
  pub fn bpfhost_btf__type_cnt(btf: *const Btf) -> u32;
  pub fn bpfhost_btf__type_by_id(btf: *const Btf, id: u32) -> *const BtfType;

  // libbpf.h: ring buffer consumer
  pub fn bpfhost_ring_buffer__new(
    map_fd: c_int,
    sample_cb: RingBufferSampleFn,
    ctx: *mut c_void,
    opts: *const RingBufferOpts,
  ) -> *mut RingBuffer;
  pub fn bpfhost_ring_buffer__free(rb: *mut RingBuffer);
  pub fn bpfhost_ring_buffer__consume_n(rb: *mut RingBuffer, n: usize) -> c_int;
  pub fn bpfhost_ring_buffer__map_fd(rb: *const RingBuffer) -> c_int;
  pub fn bpfhost_perf_buffer__new(
    map_fd: c_int,
    page_cnt: usize,
    sample_cb: PerfBufferSampleFn,
    lost_cb: Option<PerfBufferLostFn>,
    ctx: *mut c_void,
    opts: *const c_void,
  ) -> *mut PerfBuffer;
  pub fn bpfhost_perf_buffer__free(pb: *mut PerfBuffer);
  pub fn bpfhost_perf_buffer__poll(pb: *mut PerfBuffer, timeout_ms: c_int) -> c_int;
  pub fn bpfhost_perf_buffer__consume(pb: *mut PerfBuffer) -> c_int;

  // asm.h
  pub fn bpfhost_asm(source: *const c_char, insns: *mut *mut c_void, insn_cnt: *mut usize)
    -> c_int;
  pub fn bpfhost_disasm(
    insns: *const c_void,
    insn_cnt: usize,
    buf: *mut c_char,
    size: usize,
  ) -> c_int;

  // libc
  pub fn free(p: *mut c_void);
  pub fn strerror(errnum: c_int) -> *const c_char;
}

// Layouts must match the C headers (sizes printed by a C compiler on x86-64).
const _: () = assert!(std::mem::size_of::<MapCreateOpts>() == 40);
const _: () = assert!(std::mem::size_of::<MapBatchOpts>() == 24);
const _: () = assert!(std::mem::size_of::<ProgLoadOpts>() == 40);
const _: () = assert!(std::mem::size_of::<TestRunOpts>() == 104);
const _: () = assert!(std::mem::offset_of!(TestRunOpts, redirect_flags) == 100);
const _: () = assert!(std::mem::offset_of!(TestRunOpts, insn_budget) == 80);
const _: () = assert!(std::mem::size_of::<LinkCreateOpts>() == 16);
const _: () = assert!(std::mem::offset_of!(LinkCreateOpts, insn_budget) == 12);
const _: () = assert!(std::mem::size_of::<ObjectOpenOpts>() == 40);
const _: () = assert!(std::mem::size_of::<BpfMapInfo>() == 104);
const _: () = assert!(std::mem::size_of::<BpfProgInfo>() == 232);
const _: () = assert!(std::mem::offset_of!(BpfProgInfo, run_cnt) == 200);
const _: () = assert!(std::mem::size_of::<BpfLinkInfo>() == 16);
const _: () = assert!(std::mem::size_of::<BtfType>() == 96);
const _: () = assert!(std::mem::size_of::<BtfMember>() == 24);
const _: () = assert!(std::mem::size_of::<BtfEnumValue>() == 16);
