//! BTF (libbpf.h): an object's decoded type table as plain JS objects.

use std::slice;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::convert::from_c;
use crate::sys;

#[napi(object)]
pub struct BtfIntEncoding {
  pub signed: bool,
  pub char: bool,
  pub bool: bool,
  pub bits: u32,
  pub offset: u32,
}

#[napi(object)]
pub struct BtfArray {
  pub elem_type: u32,
  pub index_type: u32,
  pub nelems: u32,
}

#[napi(object)]
pub struct BtfMember {
  pub name: String,
  #[napi(js_name = "type")]
  pub type_id: u32,
  pub bit_offset: u32,
  pub bitfield_size: u32,
}

#[napi(object)]
pub struct BtfEnumValue {
  pub name: String,
  /// Signed for signed enums (kind_flag), else unsigned.
  pub value: BigInt,
}

#[napi(object)]
pub struct BtfParam {
  pub name: String,
  #[napi(js_name = "type")]
  pub type_id: u32,
}

#[napi(object)]
pub struct BtfVarSecinfo {
  #[napi(js_name = "type")]
  pub type_id: u32,
  pub offset: u32,
  pub size: u32,
}

/// One type; fields that do not apply to its kind are absent.
#[napi(object)]
pub struct BtfType {
  pub id: u32,
  /// 'void' (id 0), 'int', 'ptr', 'array', 'struct', 'union', 'enum', 'fwd',
  /// 'typedef', 'volatile', 'const', 'restrict', 'func', 'func_proto', 'var',
  /// 'datasec', 'float', 'decl_tag', 'type_tag', 'enum64'.
  pub kind: String,
  pub name: String,
  /// int, struct, union, enum, enum64, datasec, float: bytes.
  pub size: Option<u32>,
  /// The referenced type: ptr, typedef, modifiers, type_tag, decl_tag, var,
  /// func (its func_proto), func_proto (the return type).
  #[napi(js_name = "type")]
  pub type_id: Option<u32>,
  pub int_encoding: Option<BtfIntEncoding>,
  pub array: Option<BtfArray>,
  pub members: Option<Vec<BtfMember>>,
  pub values: Option<Vec<BtfEnumValue>>,
  pub vlen: Option<u32>,
  /// func_proto: parameters (a trailing {name: '', type: 0} means varargs).
  pub params: Option<Vec<BtfParam>>,
  /// datasec: its variables.
  pub vars: Option<Vec<BtfVarSecinfo>>,
  /// var and func: 0 static, 1 global, 2 extern.
  pub linkage: Option<u32>,
  /// struct/union: bitfield offsets; fwd: union; enum: signed.
  pub kind_flag: Option<bool>,
  /// decl_tag: -1 for the declaration, else the member or parameter index.
  pub component_idx: Option<i32>,
}

const KINDS: [&str; 20] = [
  "void",
  "int",
  "ptr",
  "array",
  "struct",
  "union",
  "enum",
  "fwd",
  "typedef",
  "volatile",
  "const",
  "restrict",
  "func",
  "func_proto",
  "var",
  "datasec",
  "float",
  "decl_tag",
  "type_tag",
  "enum64",
];

/// Elements of a C array the BTF owns (empty for NULL).
fn items<'a, T>(p: *const T, n: u32) -> &'a [T] {
  if p.is_null() || n == 0 {
    &[]
  } else {
    // SAFETY: the library points at vlen elements valid while the BTF lives.
    unsafe { slice::from_raw_parts(p, n as usize) }
  }
}

fn convert(t: &sys::BtfType) -> BtfType {
  let kind = KINDS.get(t.kind as usize).copied().unwrap_or("unknown");
  let mut out = BtfType {
    id: t.id,
    kind: kind.to_string(),
    name: from_c(t.name),
    size: None,
    type_id: None,
    int_encoding: None,
    array: None,
    members: None,
    values: None,
    vlen: None,
    params: None,
    vars: None,
    linkage: None,
    kind_flag: None,
    component_idx: None,
  };
  match kind {
    "int" => {
      out.size = Some(t.size);
      out.int_encoding = Some(BtfIntEncoding {
        signed: t.int_encoding & 1 != 0,
        char: t.int_encoding & 2 != 0,
        bool: t.int_encoding & 4 != 0,
        bits: t.int_bits,
        offset: t.int_offset,
      });
    }
    "float" => out.size = Some(t.size),
    "ptr" | "typedef" | "volatile" | "const" | "restrict" | "type_tag" => {
      out.type_id = Some(t.type_)
    }
    "array" => {
      out.array = Some(BtfArray {
        elem_type: t.elem_type,
        index_type: t.index_type,
        nelems: t.nelems,
      })
    }
    "struct" | "union" => {
      out.size = Some(t.size);
      out.vlen = Some(t.vlen);
      out.kind_flag = Some(t.kind_flag);
      out.members = Some(
        items(t.members, t.vlen)
          .iter()
          .map(|m| BtfMember {
            name: from_c(m.name),
            type_id: m.type_,
            bit_offset: m.bit_offset,
            bitfield_size: m.bitfield_size,
          })
          .collect(),
      );
    }
    "enum" | "enum64" => {
      out.size = Some(t.size);
      out.vlen = Some(t.vlen);
      out.kind_flag = Some(t.kind_flag);
      out.values = Some(
        items(t.values, t.vlen)
          .iter()
          .map(|v| BtfEnumValue {
            name: from_c(v.name),
            value: if t.kind_flag {
              BigInt::from(v.value as i64)
            } else {
              BigInt::from(v.value)
            },
          })
          .collect(),
      );
    }
    "fwd" => out.kind_flag = Some(t.kind_flag),
    "func" => {
      out.type_id = Some(t.type_);
      out.linkage = Some(t.linkage);
    }
    "func_proto" => {
      out.type_id = Some(t.type_);
      out.vlen = Some(t.vlen);
      out.params = Some(
        items(t.params, t.vlen)
          .iter()
          .map(|p| BtfParam {
            name: from_c(p.name),
            type_id: p.type_,
          })
          .collect(),
      );
    }
    "var" => {
      out.type_id = Some(t.type_);
      out.linkage = Some(t.linkage);
    }
    "datasec" => {
      out.size = Some(t.size);
      out.vlen = Some(t.vlen);
      out.vars = Some(
        items(t.secinfos, t.vlen)
          .iter()
          .map(|s| BtfVarSecinfo {
            type_id: s.type_,
            offset: s.offset,
            size: s.size,
          })
          .collect(),
      );
    }
    "decl_tag" => {
      out.type_id = Some(t.type_);
      out.component_idx = Some(t.component_idx);
    }
    _ => {}
  }
  out
}

/// Every type of @btf, index = id.
pub fn btf_types(btf: *const sys::Btf) -> Vec<BtfType> {
  // SAFETY: btf is live (owned by an open object) for this call.
  let n = unsafe { sys::bpfhost_btf__type_cnt(btf) };
  (0..n)
    .filter_map(|id| {
      // SAFETY: id < type_cnt.
      let t = unsafe { sys::bpfhost_btf__type_by_id(btf, id) };
      // SAFETY: non-NULL results point at a decoded type owned by the BTF.
      (!t.is_null()).then(|| convert(unsafe { &*t }))
    })
    .collect()
}
