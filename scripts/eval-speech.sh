#!/usr/bin/env bash
# Measures transcription on real human speech: every clip of
# tests/fixtures/real-speech/manifest.yaml through the release `rehearse`
# binary (`transcribe --json`, or `analyze --json` with --command analyze),
# for each model and prompt setting. Prints per clip the WER, filler recall
# and precision, hallucinated loops and dropped stretches, then pooled figures.
#
# Usage: scripts/eval-speech.sh [--model tiny.en --model base] [--prompt none|filler|both]
#          [--command transcribe|analyze] [--threads N] [--clips ID,ID] [--json FILE]
# Models must be fetched first (scripts/fetch-model.sh tiny.en base).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/fetch-fixtures.sh >&2
cargo build --release --quiet --bin rehearse --example eval_speech
exec target/release/examples/eval_speech --bin target/release/rehearse "$@"
