// SPDX-License-Identifier: MIT
//! rbpf_peer DIR NAME...: runs DIR/NAME.bin (raw eBPF instructions, no data)
//! through rbpf's interpreter and JIT and prints, per program,
//! `rbpf NAME INTERP_NS_PER_RUN JIT_NS_PER_RUN R0` (medians of batches of
//! >= 200 ms of thread CPU time; JIT_NS_PER_RUN is -1 when the JIT is unavailable). The
//! bpfhost interpreter benchmark runs it and prints the figures beside its
//! own. Batches: $BPFHOST_INTERP_BENCH_BATCHES, default 15.

use std::time::Instant;

/// The thread's CPU time: on a shared machine, time preempted is not ours.
fn thread_cpu_ns() -> u128 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u128 * 1_000_000_000 + ts.tv_nsec as u128
}

const BATCH_NS: u128 = 200_000_000;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Median ns per run of `run` over `batches` batches of >= 200 ms.
fn measure(batches: usize, mut run: impl FnMut() -> u64) -> (f64, u64) {
    let t0 = Instant::now();
    let mut r0 = run();
    let per = t0.elapsed().as_nanos().max(1);
    let repeat = (BATCH_NS / per + 1) as u64;
    let mut samples = Vec::with_capacity(batches);
    for _ in 0..batches {
        let t = thread_cpu_ns();
        for _ in 0..repeat {
            r0 = std::hint::black_box(run());
        }
        samples.push((thread_cpu_ns() - t) as f64 / repeat as f64);
    }
    (median(samples), r0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: rbpf_peer DIR NAME...");
        std::process::exit(2);
    }
    let batches = std::env::var("BPFHOST_INTERP_BENCH_BATCHES")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|n| *n > 0 && *n <= 101)
        .unwrap_or(15);
    for name in &args[2..] {
        let path = format!("{}/{}.bin", args[1], name);
        let prog = match std::fs::read(&path) {
            Ok(p) => p,
            Err(e) => {
                println!("rbpf {} error cannot read {}: {}", name, path, e);
                continue;
            }
        };
        let mut vm = match rbpf::EbpfVmNoData::new(Some(&prog)) {
            Ok(vm) => vm,
            Err(e) => {
                println!("rbpf {} error rbpf refused the program: {}", name, e);
                continue;
            }
        };
        let (interp, r0) = measure(batches, || vm.execute_program().unwrap_or(u64::MAX));
        let jit = match vm.jit_compile() {
            Ok(()) => measure(batches, || unsafe { vm.execute_program_jit().unwrap_or(u64::MAX) }).0,
            Err(_) => -1.0,
        };
        println!("rbpf {} {:.1} {:.1} {}", name, interp, jit, r0);
    }
}
