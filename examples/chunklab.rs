use rehearse::transcribe::*;
use std::sync::Arc;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let clip = rehearse::audio::wav::read_mono(std::path::Path::new(&a[1])).unwrap();
    let pcm = rehearse::audio::resample::to_whisper_rate(&clip).unwrap();
    let t = Arc::new(Transcriber::load(std::path::Path::new("models/ggml-tiny.en.bin")).unwrap());
    let o = DecodeOptions {
        threads: 2,
        initial_prompt: None,
    };
    let b = t.transcribe(&pcm, &o).unwrap();
    for cfg in &a[2..] {
        let p: Vec<f64> = cfg.split(':').map(|x| x.parse().unwrap()).collect();
        let mut s = StreamSettings {
            decode: o.clone(),
            ..Default::default()
        };
        s.chunking.min_chunk_secs = p[0];
        s.prompt_with_previous_text = p[1] > 0.0;
        s.audio_ctx_margin_secs = if p[2] < 0.0 { None } else { Some(p[2]) };
        s.chunking.lead_in_secs = p[3];
        let r = replay::replay(t.clone(), s, &pcm, 0.0).unwrap();
        eprintln!(
            "{cfg}: chunks {} wer {:.3} wall {:.1}",
            r.chunks,
            rehearse::wer::word_error_rate(&b.text, &r.transcript.text),
            r.wall.as_secs_f64()
        );
    }
}
