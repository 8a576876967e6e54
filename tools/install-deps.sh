#!/usr/bin/env bash
# The Debian 12 packages bpfhost needs, in one place: `npm start` and `npm test`
# run this first, and so does .ci/run. Node.js and Rust are not apt packages
# here (nodesource/rustup): the README names them.
#
#   tools/install-deps.sh [--for start|test] [--check]
#
# --for start  what `npm start` needs: the C build (cmake, ninja, gcc), the
#              sample's BPF objects the demo loads (clang-19, libbpf-dev's
#              <bpf/bpf_helpers.h>, linux-libc-dev's <linux/bpf.h>).
# --for test   (default) everything `npm test` runs: also llvm-19 (the
#              disassembler's oracle), bpftool (the BTF oracle), clang's
#              runtimes (libclang-rt-19-dev: fuzzers) and chromium (the docs'
#              Playwright tests).
# --check      only report: exit 1, naming the missing packages, if any.
#
# Missing packages are installed with apt-get as root, or through sudo. Without
# either (or if sudo fails) it prints the missing packages and the one command
# that installs them, and exits 1. BPFHOST_SKIP_INSTALL_DEPS=1 skips it all.
#
# Only bash builtins and dpkg-query/apt-get/sudo/id are used, so the test
# (packages/api/test/install-deps.test.ts) can run it with a PATH of fakes.
set -uo pipefail

START_PKGS=(cmake ninja-build gcc make pkg-config clang-19 libbpf-dev linux-libc-dev)
TEST_PKGS=("${START_PKGS[@]}" llvm-19 bpftool libclang-rt-19-dev chromium)

say() { printf 'install-deps: %s\n' "$*" >&2; }
usage() { say "usage: tools/install-deps.sh [--for start|test] [--check]"; exit 2; }

mode=test
check_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --for) [ $# -ge 2 ] || usage; mode="$2"; shift 2 ;;
    --for=*) mode="${1#--for=}"; shift ;;
    --check) check_only=1; shift ;;
    -h|--help) usage ;;
    *) say "unknown argument '$1'"; usage ;;
  esac
done
case "$mode" in
  start) pkgs=("${START_PKGS[@]}"); purpose='`npm start` (build and run the demo)' ;;
  test) pkgs=("${TEST_PKGS[@]}"); purpose='`npm test`' ;;
  *) say "unknown mode '$mode' (start or test)"; usage ;;
esac

if [ "${BPFHOST_SKIP_INSTALL_DEPS:-}" = 1 ]; then
  say "BPFHOST_SKIP_INSTALL_DEPS=1: not checking ${pkgs[*]}"
  exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  # Not Debian: the package names are Debian's. Say what is needed; the build
  # itself reports what it cannot find.
  say "not a Debian system (no dpkg-query): $purpose needs the equivalents of: ${pkgs[*]}"
  exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)"
  [[ "$status" == *"install ok installed"* ]] || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  say "all present for $purpose: ${pkgs[*]}"
  exit 0
fi

install_cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
explain() {
  say "missing Debian packages for $purpose: ${missing[*]}"
  say "install them as root with:"
  printf '  %s\n' "$install_cmd" >&2
  say "(or: sudo sh -c '$install_cmd'), then run the command again"
}

if [ "$check_only" = 1 ]; then
  explain
  exit 1
fi

# sudo resets the environment: DEBIAN_FRONTEND goes through env.
if [ "$(id -u)" = 0 ]; then
  sudo=()
  export DEBIAN_FRONTEND=noninteractive
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo env DEBIAN_FRONTEND=noninteractive)
else
  say "not root and no sudo: cannot install"
  explain
  exit 1
fi

say "installing for $purpose: ${missing[*]}"
if "${sudo[@]}" apt-get update &&
  "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; then
  exit 0
fi
say "apt-get failed"
explain
exit 1
