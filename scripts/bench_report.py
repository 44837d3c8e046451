#!/usr/bin/env python3
"""Turns scripts/bench.sh's results (one JSON object per line) into Markdown
tables, prints them, and with --readme replaces the text between
<!-- bench:start --> and <!-- bench:end --> in that file."""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import sys

PEERS = [
    ("faster-whisper-int8", "faster-whisper int8"),
    ("faster-whisper-float32", "faster-whisper float32"),
    ("pywhispercpp", "pywhispercpp (whisper.cpp), our settings"),
    ("pywhispercpp-defaults", "pywhispercpp, whisper.cpp defaults*"),
]


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def merge(a, b):
    """Two records of one engine on one clip as one: every timed run, the
    median of them all, the highest peak memory."""
    if "error" in a:
        return b
    if "error" in b or "times" not in a or "times" not in b:
        return a
    m = dict(a)
    m["times"] = a["times"] + b["times"]
    m["median"] = statistics.median(m["times"])
    if "rtf" in a:
        m["rtf"] = m["median"] / a["duration"]
    m["peak_rss_mb"] = max(a["peak_rss_mb"], b["peak_rss_mb"])
    return m


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--readme")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", default="base")
    parser.add_argument("--memory-target", type=float, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stream-runs", type=int, default=2)
    args = parser.parse_args()

    rows = [json.loads(line) for line in open(args.results) if line.strip()]
    clips = []
    for r in rows:
        if r["clip"] not in clips:
            clips.append(r["clip"])
    # An engine's runs on a clip are taken in turns with the other engines'
    # (one record per round): merged here into one record per engine and clip.
    by = {}
    for r in rows:
        key = (r["engine"], r["clip"])
        by[key] = merge(by[key], r) if key in by else r

    def dur(clip):
        for r in rows:
            if r["clip"] == clip and "duration" in r:
                return r["duration"]
        return float("nan")

    def err(r):
        return "n/a: " + r["error"][:60].replace("|", "/") if r and "error" in r else "n/a"

    time_header = ["answer", "ours: batch", "ours: real-time factor",
                   "ours: feedback latency (streaming)", "streaming vs batch WER"]
    verdicts = []
    time_header += [name for _, name in PEERS]
    time_lines = [time_header, ["---"] * len(time_header)]
    mem_header = ["answer", "ours: batch", "ours: streaming"] + [name for _, name in PEERS]
    mem_lines = [mem_header, ["---"] * len(mem_header)]

    for clip in clips:
        label = f"{dur(clip):.1f} s"
        batch = by.get(("ours-batch", clip))
        stream = by.get(("ours-stream", clip))
        line = [label]
        mem = [label]
        if batch and "median" in batch:
            ours = batch["median"]
            line += [f"{ours:.2f} s", f"{batch['rtf']:.3f}"]
            mem.append(f"{batch['peak_rss_mb']:.0f} MB")
        else:
            ours = None
            line += [err(batch), ""]
            mem.append(err(batch))
        if stream and "median_latency" in stream:
            lat = stream["latencies"]
            analysis = max(stream.get("analysis_ms", [float("nan")]))
            line.append(f"{stream['median_latency']:.2f} s (max {max(lat):.2f} s, "
                        f"{stream['windows']} whisper runs; analysis {analysis:.1f} ms)")
            line.append(f"{100 * stream['wer_vs_batch']:.1f} %")
            mem.append(f"{stream['peak_rss_mb']:.0f} MB")
        else:
            line += [err(stream), ""]
            mem.append(err(stream))
        for engine, _ in PEERS:
            r = by.get((engine, clip))
            if r and "median" in r:
                ratio = f" (ours ×{r['median'] / ours:.2f})" if ours else ""
                line.append(f"{r['median']:.2f} s{ratio}")
                mem.append(f"{r['peak_rss_mb']:.0f} MB")
            else:
                line.append(err(r))
                mem.append(err(r))
        time_lines.append(line)
        mem_lines.append(mem)
        peers = [by[(e, clip)]["median"] for e, _ in PEERS[:3] if "median" in by.get((e, clip), {})]
        peaks = [r["peak_rss_mb"] for r in (batch, stream) if r and "peak_rss_mb" in r]
        verdicts.append((label, stream, ours, min(peers) if peers else None, max(peaks) if peaks else None))

    def ok(flag):
        return "met" if flag else "NOT met"

    target_lines = []
    if verdicts:
        label, stream, ours, fastest, peak = verdicts[-1]
        if stream and "max_latency" in stream:
            target_lines.append(f"- feedback latency ≤ 1.0 s after a {label} answer: "
                                f"{stream['max_latency']:.2f} s at worst, {ok(stream['max_latency'] <= 1.0)}")
        if ours and fastest:
            target_lines.append(f"- batch no slower than the fastest peer on the {label} answer: "
                                f"{ours:.2f} s against {fastest:.2f} s (×{ours / fastest:.2f}), "
                                f"{ok(ours <= fastest)}")
        if peak:
            target_lines.append(f"- peak memory ≤ {args.memory_target:.0f} MB (whisper model and "
                                f"content judge's embedder): {peak:.0f} MB, "
                                f"{ok(peak <= args.memory_target)}")
    targets = "\n".join(target_lines)

    loads = [r[k] for r in rows for k in ("load_before", "load_after") if k in r]
    load_text = (f"{min(loads):.2f}–{max(loads):.2f}" if loads else "unknown")
    date = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")

    def table(lines):
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)

    text = f"""Measured {date} on {os.cpu_count()} cores ({cpu_name()}), {args.model}, greedy decoding,
{args.threads} threads; 1-minute load average between {load_text} during the runs
(other work on the machine inflates every number). Times are medians of
{args.runs} runs after the model is loaded, taken in turns (ours, then each
peer, {args.runs} rounds) so that a slow spell hits every engine alike; streaming latency is the median of
{args.stream_runs} runs fed at real-time pace, from the last sample of the
answer to its transcript and analysis, as in a session (filler prompt,
content judge with its embedder loaded). "ours ×r": the peer takes r
times as long as our batch transcription (above 1: we are faster).
\* flash attention on and no word timestamps: not the same work, shown to
tell what those settings cost.

{table(time_lines)}

Peak memory (resident high-water mark of the whole process, model included):

{table(mem_lines)}

Targets (the longest answer):

{targets}
"""
    print(text)
    if args.readme:
        with open(args.readme) as f:
            readme = f.read()
        pattern = re.compile(r"(<!-- bench:start -->\n).*?(<!-- bench:end -->)", re.S)
        if not pattern.search(readme):
            sys.exit(f"{args.readme} has no <!-- bench:start --> / <!-- bench:end --> markers")
        readme = pattern.sub(lambda m: m.group(1) + text + m.group(2), readme)
        with open(args.readme, "w") as f:
            f.write(readme)
        print(f"bench: table written to {args.readme}", file=sys.stderr)


if __name__ == "__main__":
    main()
