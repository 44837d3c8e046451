#!/usr/bin/env bash
# Memory check (issues 12, 13, 16): the peak resident memory of a session-like
# run must stay within the limit (500 MB). The benchmark
# (benches/transcription.rs) streams a real 119 s answer (the two
# answer-length spontaneous clips of the real speech fixtures joined) through
# the session's pipeline: the default model (base-q8_0), the filler prompt, the
# loop guard and the MiniLM content judge loaded and prepared. Each piece
# waits for the worker (--settle), so the work done, and so the memory, does
# not depend on the machine's speed or load; the pace only changes how long
# it takes (0: as fast as the worker goes).
# Prints the peak and the memory after each stage, and fails (exit 1) when
# the peak is over the limit.
# Environment: MEM_LIMIT_MB (500), MEM_MODEL (base-q8_0), MEM_THREADS (2),
# MEM_PACE (0), MEM_CLIP (a WAV file instead of the joined real answer).
set -euo pipefail
# sox dithers with a random seed when it changes rate or level: -R makes
# every clip made here the same on every run and machine.
sox() { command sox -R "$@"; }
cd "$(dirname "$0")/.."
exec </dev/null

limit="${MEM_LIMIT_MB:-500}"
model="models/ggml-${MEM_MODEL:-base-q8_0}.bin"
threads="${MEM_THREADS:-2}"
pace="${MEM_PACE:-0}"
clip="${MEM_CLIP:-}"

if [[ -z "$clip" ]]; then
  real="${REHEARSE_REAL_SPEECH:-target/real-speech}/clips"
  parts=("$real/spontaneous-joined.wav" "$real/fillers-joined.wav")
  for part in "${parts[@]}"; do
    if [[ ! -f "$part" ]]; then
      echo "check-memory: $part is missing: run scripts/fetch-fixtures.sh (or set REHEARSE_REAL_SPEECH, or MEM_CLIP=FILE.wav)" >&2
      exit 2
    fi
  done
  clip=target/bench/real-119.wav
  mkdir -p target/bench
  [[ -f "$clip" ]] || sox "${parts[@]}" "$clip"
fi
for file in "$model" models/all-MiniLM-L6-v2/model.safetensors "$clip"; do
  if [[ ! -f "$file" ]]; then
    echo "check-memory: $file is missing (scripts/fetch-model.sh base-q8_0 silero-vad minilm)" >&2
    exit 2
  fi
done

out=$(cargo bench --quiet --bench transcription -- --model "$model" \
  --threads "$threads" --clip "$clip" --mode stream --runs 1 --pace "$pace" \
  --session models --settle)
printf '%s\n' "$out" | python3 -c '
import json, sys
limit = float(sys.argv[1])
r = json.loads(sys.stdin.read())
peak = r["peak_rss_mb"]
stages = ", ".join("%s %.0f" % (k, v["rss"]) for k, v in r["rss_mb_stages"].items())
print("check-memory: %s (%.0f s), session: %s" % (r["clip"], r["duration"], r["session"]))
print("check-memory: RSS after each stage, MB: " + stages)
verdict = "ok" if peak <= limit else "OVER THE LIMIT"
print("check-memory: peak %.0f MB, limit %.0f MB: %s" % (peak, limit, verdict))
sys.exit(0 if peak <= limit else 1)
' "$limit"
