#!/usr/bin/env python3
"""Turns scripts/bench.sh's results (one JSON object per line) into Markdown
tables, prints them, and with --readme replaces the text between
<!-- bench:start --> and <!-- bench:end --> in that file.

Every time is a median with its min-max; every transcript's WER is against
the clip's script (`wer_words`, added by the bench's --score step:
hesitations left out of both sides)."""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import sys

# (engine, column name) of the batch table, ours first.
BATCH = [
    ("ours-batch-session", "ours, session settings (prompt, speech detector)"),
    ("ours-batch", "ours, peers' settings (no prompt)"),
    ("faster-whisper-int8", "faster-whisper int8"),
    ("faster-whisper-int8-vad", "faster-whisper int8, vad_filter"),
    ("faster-whisper-float32", "faster-whisper float32"),
    ("pywhispercpp", "pywhispercpp (whisper.cpp), our settings"),
    ("pywhispercpp-defaults", "pywhispercpp, whisper.cpp defaults*"),
]
ENDINGS = [
    ("ours-stream", "ended by Enter"),
    ("ours-stream-silence", "ended by silence: wait after it is detected"),
    ("ours-stream-limit", "cut by the time limit"),
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
    highest peak memory (and the lowest baseline)."""
    if "error" in a:
        return b
    if "error" in b or "times" not in a or "times" not in b:
        return a
    m = dict(a)
    m["times"] = a["times"] + b["times"]
    m["peak_rss_mb"] = max(a["peak_rss_mb"], b["peak_rss_mb"])
    if "baseline_rss_mb" in a and "baseline_rss_mb" in b:
        m["baseline_rss_mb"] = min(a["baseline_rss_mb"], b["baseline_rss_mb"])
    return m


def spread(values, unit=" s"):
    """'median (min-max)' of values."""
    if not values:
        return "n/a"
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.2f}{unit} (1 run)"
    return f"{med:.2f}{unit} ({min(values):.2f}–{max(values):.2f})"


def pct(x):
    return "n/a" if x is None else f"{100 * x:.1f} %"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--readme")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", default="base-q8_0")
    parser.add_argument("--memory-target", type=float, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stream-runs", type=int, default=5)
    parser.add_argument("--batch-measured",
                        help="when the batch, peer and memory figures were measured, if not "
                             "in this run (bench.sh with BENCH_STREAM_ONLY=1)")
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
            if r["clip"] == clip and "duration" in r and r.get("end", "enter") == "enter":
                return r["duration"]
        return float("nan")

    def label(clip):
        name = os.path.basename(clip)
        kind = "real speech" if "real" in name else "espeak, 0.2–0.6 s pauses"
        return f"{dur(clip):.1f} s ({kind})"

    def err(r):
        return "n/a: " + r["error"][:60].replace("|", "/") if r and "error" in r else "n/a"

    def ok(flag):
        return "met" if flag else "NOT met"

    # --- batch: time and WER per engine -----------------------------------
    batch_lines = [["answer"] + [name for _, name in BATCH]]
    batch_lines.append(["---"] * len(batch_lines[0]))
    mem_lines = [["answer", "ours: batch, session settings", "ours: streaming as a session"]
                 + [name for _, name in BATCH[2:]]]
    mem_lines.append(["---"] * len(mem_lines[0]))
    for clip in clips:
        line, mem = [label(clip)], [label(clip)]
        for engine, _ in BATCH:
            r = by.get((engine, clip))
            if r and "times" in r:
                line.append(f"{spread(r['times'])}, WER {pct(r.get('wer_words'))}")
            else:
                line.append(err(r))
        for engine in ["ours-batch-session", "ours-stream"] + [e for e, _ in BATCH[2:]]:
            r = by.get((engine, clip))
            if r and "peak_rss_mb" in r:
                cell = f"{r['peak_rss_mb']:.0f} MB"
                if "baseline_rss_mb" in r:
                    cell += f" ({r['peak_rss_mb'] - r['baseline_rss_mb']:.0f} MB over the interpreter's {r['baseline_rss_mb']:.0f} MB)"
                mem.append(cell)
            else:
                mem.append(err(r))
        batch_lines.append(line)
        mem_lines.append(mem)

    # --- streaming: latency for each ending --------------------------------
    stream_lines = [["answer"] + [name for _, name in ENDINGS]
                    + ["streaming vs batch WER", "streamed WER against the script"]]
    stream_lines.append(["---"] * len(stream_lines[0]))
    for clip in clips:
        line = [label(clip)]
        for engine, _ in ENDINGS:
            r = by.get((engine, clip))
            if r and "latencies" in r:
                left = [f["undecoded_secs"] for f in (r.get("at_finish") or []) if f and "undecoded_secs" in f]
                extra = f", {max(left):.1f} s undecoded at the end at most" if left else ""
                line.append(f"{spread(r['latencies'])}, {len(r['latencies'])} runs{extra}")
            elif r:
                line.append(err(r))
            else:
                line.append("not run")
        s = by.get(("ours-stream", clip))
        line.append(pct(s.get("wer_vs_batch")) if s else "n/a")
        line.append(pct(s.get("wer_words")) if s else "n/a")
        stream_lines.append(line)

    # --- targets -------------------------------------------------------------
    targets = []
    silence = [x for c in clips for x in by.get(("ours-stream-silence", c), {}).get("latencies", [])]
    if silence:
        targets.append(f"- ended by silence, report ready ≤ 0.3 s after the silence is detected: "
                       f"{max(silence):.2f} s at worst, {ok(max(silence) <= 0.3)}")
    for engine, what in (("ours-stream", "Enter"), ("ours-stream-limit", "the time limit")):
        for clip in clips:
            lat = by.get((engine, clip), {}).get("latencies")
            if lat and dur(clip) >= 100:
                targets.append(f"- ended by {what}, ≤ 1.0 s after the {label(clip)} answer: "
                               f"{max(lat):.2f} s at worst, {ok(max(lat) <= 1.0)}")
    agree = [(c, by[("ours-stream", c)]["wer_vs_batch"]) for c in clips
             if "wer_vs_batch" in by.get(("ours-stream", c), {})]
    if agree:
        worst = max(agree, key=lambda x: x[1])
        targets.append(f"- streaming vs batch WER ≤ 3 % on every clip: {pct(worst[1])} at worst "
                       f"({label(worst[0])}), {ok(worst[1] <= 0.03)}")
    for clip in clips:
        ours = by.get(("ours-batch-session", clip), {}).get("times")
        peer = by.get(("faster-whisper-int8-vad", clip), {}).get("times")
        if ours and peer:
            o, p = statistics.median(ours), statistics.median(peer)
            targets.append(f"- batch (session pipeline) no slower than faster-whisper int8 with vad_filter "
                           f"on the {label(clip)} answer: {o:.2f} s against {p:.2f} s, {ok(o <= p)}")
    peaks = [r["peak_rss_mb"] for (e, _), r in by.items() if e.startswith("ours") and "peak_rss_mb" in r]
    if peaks:
        targets.append(f"- peak memory ≤ {args.memory_target:.0f} MB (whisper model and the content "
                       f"judge's embedder): {max(peaks):.0f} MB, {ok(max(peaks) <= args.memory_target)}")

    loads = [r[k] for r in rows for k in ("load_before", "load_after") if k in r]
    load_text = (f"{min(loads):.2f}–{max(loads):.2f}" if loads else "unknown")
    date = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")

    def table(lines):
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)

    measured = (f"Our streaming measured {date}; batch and the peers (times, WER, memory) "
                f"measured {args.batch_measured}, only streaming having changed since;"
                if args.batch_measured else f"Measured {date}")
    text = f"""{measured} on {os.cpu_count()} cores ({cpu_name()}), {args.model}, greedy decoding,
{args.threads} threads; 1-minute load average between {load_text} during the runs
(other work on the machine inflates every number). Batch times are the median
(min–max) of {args.runs} runs after the model is loaded, taken in turns (each
engine once per round, {args.runs} rounds) so that a slow spell hits every engine
alike. WER is against the clip's script with hesitations left out of both
sides (the peers are not asked to write them; fillers are measured in "Which
model"). \\* flash attention on and no word timestamps: not the same work,
shown to tell what those settings cost.

{table(batch_lines)}

Feedback latency when streamed at real-time pace as a session does it
(filler prompt, loop guard, content judge with its embedder loaded): from the
end of the answer (the last sample for Enter and the time limit, the moment
the recorder's 4 s of quiet is complete for silence) to its transcript *and*
analysis, median (min–max) of {args.stream_runs} runs. The time limit cuts
the answer inside a word 10 s before the clip's end.

{table(stream_lines)}

Peak memory (resident high-water mark of the whole process, model
included; for the Python peers also what they add over the interpreter with
their module imported):

{table(mem_lines)}

Targets:

{chr(10).join(targets)}
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
