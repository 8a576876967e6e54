#!/usr/bin/env bash
# lint-c.sh <projectRoot> — cheap, meaningful checks for the C packages.
#
# Checks (warning-freedom is already enforced by the -Werror build):
#   1. No .c/.h source file in the project exceeds MAX_LINES (default 1500) lines.
#   2. The kernel library must not print: no printf/puts/perror or
#      fprintf/fputs to stdout/stderr under packages/kernel/src, except under
#      src/platform (the platform layer owns the default diagnostic sink).
#      Diagnostics go through the registered log callback instead.
#      A line can opt out with the marker comment `lint-c: allow-print`.
#
# Files considered: tracked plus untracked-but-not-ignored files (git), so
# build*/ output directories are skipped; outside a git checkout, a find that
# prunes build*/ directories. Missing directories are fine (nothing to check).
set -euo pipefail

MAX_LINES="${LINT_C_MAX_LINES:-1500}"

usage() { echo "usage: $0 <projectRoot>" >&2; exit 2; }
[ $# -eq 1 ] || usage

# Run from the repository root (this script lives in <root>/tools).
cd "$(dirname "$0")/.."
root="${1%/}"
if [ ! -d "$root" ]; then
  echo "lint-c: project root '$root' does not exist" >&2
  exit 2
fi

# List C sources under a directory (relative to the repo root), NUL-separated.
list_c_files() {
  local dir="$1"
  [ -d "$dir" ] || return 0
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard -- "$dir/*.c" "$dir/*.h" |
      while IFS= read -r -d '' f; do
        # skip deleted-but-tracked files and anything inside a build*/ directory
        [ -f "$f" ] || continue
        case "/$f/" in */build*/*) continue ;; esac
        printf '%s\0' "$f"
      done
  else
    find "$dir" \( -type d -name 'build*' -prune \) -o \
      \( -type f \( -name '*.c' -o -name '*.h' \) -print0 \)
  fi
}

problems=0
checked=0
report() { echo "lint-c: $*" >&2; problems=$((problems + 1)); }

# --- 1. file length -------------------------------------------------------
while IFS= read -r -d '' f; do
  checked=$((checked + 1))
  n=$(wc -l < "$f")
  if [ "$n" -gt "$MAX_LINES" ]; then
    report "$f: $n lines (max $MAX_LINES); split it into smaller units"
  fi
done < <(list_c_files "$root")

# --- 2. the kernel library must not print ---------------------------------
if [ "$(basename "$root")" = "kernel" ] && [ -d "$root/src" ]; then
  # printf/vprintf/puts/perror/putchar anywhere (word-bounded, so snprintf and
  # vsnprintf are allowed); fprintf/vfprintf/fputs/fputc/fwrite to a std stream.
  direct='(^|[^A-Za-z0-9_])(printf|vprintf|puts|putchar|perror)[[:space:]]*\('
  stream='(^|[^A-Za-z0-9_])(fprintf|vfprintf|fputs|fputc|fwrite|dprintf)[[:space:]]*\(.*(stderr|stdout|STDERR_FILENO|STDOUT_FILENO)'
  while IFS= read -r -d '' f; do
    case "$f" in "$root/src/platform/"*) continue ;; esac
    hits=$(grep -nE "$direct|$stream" "$f" | grep -v 'lint-c: allow-print' || true)
    if [ -n "$hits" ]; then
      while IFS= read -r line; do
        report "$f:${line%%:*}: library code must not print; use the diagnostic callback (or move it to src/platform)"
      done <<< "$hits"
    fi
  done < <(list_c_files "$root/src")
fi

if [ "$problems" -gt 0 ]; then
  echo "lint-c: $root: $checked files checked, $problems problem(s)" >&2
  exit 1
fi
echo "lint-c: $root: $checked files checked, no problems"
