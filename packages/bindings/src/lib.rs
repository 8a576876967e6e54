//! @bpfhost/bindings: the bpfhost C library (packages/kernel) for Node.js,
//! one JS function per C call. Keys and values are Buffers, u64 are BigInt,
//! failures are JS errors with `code` (errno name) and `errno`.
#![deny(clippy::all)]

mod asm;
mod btf;
mod consumer;
mod convert;
mod error;
mod extension;
mod fast;
mod handle;
mod map;
mod object;
mod perfbuf;
mod program;
mod ringbuf;
mod sys;
