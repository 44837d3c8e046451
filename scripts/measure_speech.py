#!/usr/bin/env python3
"""Measures speech timing from a 16 kHz mono 16-bit WAV by its energy envelope.

Used to hand-measure the timing truth in tests/fixtures/real-speech/manifest.yaml
(the numbers there were then checked against the packages' own forced alignments
where those exist). Standard library only.

Method: band-pass 150-7000 Hz (sox sinc), RMS in 10 ms frames (dBFS); the noise floor is the 10th percentile of the
frames; a frame is voiced when it is at least THRESH dB above the floor (and above
-60 dBFS). Voiced runs shorter than 60 ms are dropped (clicks), gaps shorter than
150 ms inside speech are closed. Prints the first speech onset, the last speech
offset and every gap longer than --min-gap seconds.

Usage: measure_speech.py FILE.wav [--min-gap 1.0] [--thresh 10] [--band 150-7000] [--frames]
"""
import argparse
import array
import math
import os
import subprocess
import tempfile
import wave

FRAME = 0.010


def envelope(path, band):
    """Frame levels of `path` after sox's band-pass `band` (removes rumble and hiss)."""
    with tempfile.TemporaryDirectory() as tmp:
        filtered = os.path.join(tmp, "f.wav")
        subprocess.run(["sox", path, "-b", "16", filtered, "sinc", band], check=True)
        return _levels(filtered)


def _levels(path):
    with wave.open(path, "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise SystemExit(f"{path}: need mono 16-bit (convert with sox first)")
        rate = w.getframerate()
        data = array.array("h", w.readframes(w.getnframes()))
    n = int(rate * FRAME)
    db = []
    for i in range(0, len(data) - n + 1, n):
        s = sum(x * x for x in data[i : i + n]) / n
        db.append(10 * math.log10(s / (32768.0**2)) if s > 0 else -120.0)
    return db, len(data) / rate


def regions(db, thresh):
    floor = sorted(db)[len(db) // 10]
    level = max(floor + thresh, -60.0)
    runs, start = [], None
    for i, v in enumerate(db + [-200.0]):
        if v >= level and start is None:
            start = i
        elif v < level and start is not None:
            runs.append([start, i])
            start = None
    merged = []
    for r in runs:
        if merged and r[0] - merged[-1][1] < 15:
            merged[-1][1] = r[1]
        else:
            merged.append(r)
    return floor, level, [(a * FRAME, b * FRAME) for a, b in merged if b - a >= 6]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("wav")
    p.add_argument("--min-gap", type=float, default=1.0)
    p.add_argument("--thresh", type=float, default=10.0)
    p.add_argument("--band", default="150-7000", help="sox sinc band-pass in Hz")
    p.add_argument("--frames", action="store_true", help="print the voiced regions too")
    a = p.parse_args()
    db, dur = envelope(a.wav, a.band)
    floor, level, regs = regions(db, a.thresh)
    print(f"{a.wav}: {dur:.3f} s, floor {floor:.1f} dBFS, threshold {level:.1f} dBFS")
    if not regs:
        print("  no speech")
        return
    print(f"  first onset {regs[0][0]:.2f}  last offset {regs[-1][1]:.2f}")
    for (a0, a1), (b0, _) in zip(regs, regs[1:]):
        if b0 - a1 > a.min_gap:
            print(f"  gap {a1:.2f} -> {b0:.2f} ({b0 - a1:.2f} s)")
    if a.frames:
        for r in regs:
            print(f"  voiced {r[0]:.2f}-{r[1]:.2f}")


if __name__ == "__main__":
    main()
