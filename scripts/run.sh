#!/usr/bin/env bash
# The run command: sets up what is missing, fetches the model, builds rehearse
# and runs it. With no arguments it runs the demo mock interview (no
# microphone needed); with arguments it runs `rehearse ARGS...`, e.g.
# scripts/run.sh interview --include biggest-mistake
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >&2
scripts/fetch-model.sh tiny.en >&2
cargo build --release --quiet
if (($# > 0)); then
  exec target/release/rehearse --models-dir models "$@"
fi
# No arguments: the demo, a complete mock interview answered by sample
# recordings (no microphone needed). Questions are spoken when a sound card
# exists, else shown as text.
tts=()
if ! grep -q '[0-9]' /proc/asound/cards 2>/dev/null; then
  tts=(--no-tts)
fi
exec target/release/rehearse --models-dir models demo "${tts[@]}"
