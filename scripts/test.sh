#!/usr/bin/env bash
# The test command: sets up what is missing, fetches the models and the real
# speech clips, then checks formatting, lints and runs every test against the
# real model and audio.
set -euo pipefail
cd "$(dirname "$0")/.."
# glibc's fatal messages (heap corruption, ...) to stderr, not to a terminal
# CI does not have: an abort then says why in the log.
export LIBC_FATAL_STDERR_=1
scripts/setup.sh
scripts/fetch-model.sh
scripts/fetch-fixtures.sh
cargo fmt --check
cargo clippy --all-targets --quiet -- -D warnings
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
cargo test 2>&1 | tee "$log"
# One closing line for the whole run, summed over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
