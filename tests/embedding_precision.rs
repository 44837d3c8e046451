//! The embedder keeps its word-embedding table at half precision (to save
//! memory) and does BERT's embedding step itself: its sentence embeddings
//! must stay those of the full-precision model as candle runs it
//! (`BertModel`, every weight f32), one sentence at a time and in padded
//! batches. Needs models/all-MiniLM-L6-v2 (scripts/fetch-model.sh minilm).

use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use rehearse::embed::{cosine, Embedder};
use tokenizers::Tokenizer;

const SENTENCES: &[&str] = &[
    "I took personal responsibility for the mistake.",
    "Honestly, that one is totally on me.",
    "I blamed the client for the delay.",
    "Um, so, the, uh, quarterly report went out with the wrong numbers and I didn't catch it until the CFO asked.",
    "Since then I check every figure twice.",
    "Yes.",
];

/// The reference: candle's own BERT with every weight in f32, one sentence
/// per pass (no padding), mean-pooled and normalised.
fn reference(dir: &Path) -> Vec<Vec<f32>> {
    let config: Config =
        serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap();
    let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json")).unwrap();
    tokenizer.with_padding(None);
    // SAFETY: the model file is not modified while mapped (test only).
    let vb = unsafe {
        VarBuilder::from_mmaped_safetensors(
            &[dir.join("model.safetensors")],
            DType::F32,
            &Device::Cpu,
        )
    }
    .unwrap();
    let model = BertModel::load(vb, &config).unwrap();
    SENTENCES
        .iter()
        .map(|s| {
            let ids = tokenizer.encode(*s, true).unwrap().get_ids().to_vec();
            let ids = Tensor::new(&ids[..], &Device::Cpu)
                .unwrap()
                .unsqueeze(0)
                .unwrap();
            let types = ids.zeros_like().unwrap();
            let hidden = model.forward(&ids, &types, None).unwrap();
            let mean = hidden.mean(1).unwrap().squeeze(0).unwrap();
            let v = mean.to_vec1::<f32>().unwrap();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.iter().map(|x| x / norm).collect()
        })
        .collect()
}

#[test]
fn embeddings_match_the_full_precision_model() {
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let dir = rehearse::model::embedding_fetch::model_dir(&models);
    let ours = Embedder::load(&dir)
        .unwrap_or_else(|e| panic!("{e}: run `scripts/fetch-model.sh minilm` first"));
    let want = reference(&dir);
    // All at once: packed end to end into one sequence, kept apart by the mask.
    let batched = ours.embed(SENTENCES).unwrap();
    // Each sentence four times over, in a different order each time: several
    // packs (about 280 tokens), run side by side, must come back in order.
    let order = [
        0, 1, 2, 3, 4, 5, 5, 4, 3, 2, 1, 0, 2, 4, 0, 1, 3, 5, 3, 0, 5, 1, 4, 2,
    ];
    let many: Vec<&str> = order.iter().map(|&i| SENTENCES[i]).collect();
    let in_packs = ours.embed(&many).unwrap();
    assert_eq!(in_packs.len(), many.len());
    for (i, sentence) in SENTENCES.iter().enumerate() {
        let one = ours.embed_one(sentence).unwrap();
        let repeats = order
            .iter()
            .zip(&in_packs)
            .filter(|(&k, _)| k == i)
            .map(|(_, got)| ("in one of several packs", got));
        for (how, got) in [("alone", &one), ("in a batch", &batched[i])]
            .into_iter()
            .chain(repeats)
        {
            let cos = cosine(got, &want[i]);
            let worst = got
                .iter()
                .zip(&want[i])
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            // The judge's thresholds are about 0.01 apart at the finest.
            assert!(
                cos > 0.9999 && worst < 2e-3,
                "{sentence:?} {how}: cosine to the f32 model {cos}, largest difference {worst}"
            );
        }
    }
}
