#!/usr/bin/env bash
# Measures the content judges on the labelled development set
# (tests/fixtures/content-dev): per-element and per-flag precision, recall
# and F1 for the keyword-only and the semantic judge side by side, on the
# `tune` split (where the thresholds were chosen) and the `test` split
# (answers the thresholds never saw), plus the time to analyse one typed
# answer. Needs the embedding model: scripts/fetch-model.sh minilm.
# Usage: scripts/eval-content.sh [--rows] [--tune] [--dev-set DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
# Release build: the time to analyse a typed answer is the one the
# `rehearse` binary takes.
cargo run --release --quiet --example eval_content -- --models-dir models "$@"
