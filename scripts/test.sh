#!/usr/bin/env bash
# The test command: sets up what is missing, fetches the model, then checks
# formatting, lints and runs every test against the real model and audio.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/fetch-model.sh tiny.en
cargo fmt --check
cargo clippy --all-targets --quiet -- -D warnings
cargo test --quiet
