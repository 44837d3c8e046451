#!/usr/bin/env bash
# The run command: sets up what is missing, fetches the model, builds rehearse
# and runs it. With no arguments it speaks a sample interview answer with
# espeak-ng (no microphone needed) and transcribes it locally; with arguments
# it runs `rehearse ARGS...`, e.g. scripts/run.sh transcribe my-answer.wav
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >&2
scripts/fetch-model.sh tiny.en >&2
cargo build --release --quiet
if (($# > 0)); then
  exec target/release/rehearse --models-dir models "$@"
fi
sample="$(mktemp -d)/sample-answer.wav"
text="My biggest mistake was missing a deadline on a client project. \
I underestimated the work and did not tell my manager early enough. \
Since then I break large tasks into smaller steps and share progress every week."
echo "Speaking a sample answer with espeak-ng into $sample ..." >&2
espeak-ng -w "$sample.raw.wav" "$text"
sox "$sample.raw.wav" -r 16000 -c 1 -b 16 "$sample"
rm -f "$sample.raw.wav"
exec target/release/rehearse --models-dir models transcribe "$sample"
