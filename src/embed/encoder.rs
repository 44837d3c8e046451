//! MiniLM's transformer layers (the BERT encoder), built from candle's
//! tensor ops: self-attention, then a feed-forward block with GELU, each
//! followed by a residual layer norm, as trained.
//!
//! Written out here rather than taken from candle-transformers' `BertEncoder`
//! for speed on the CPU, with the same weights and the same arithmetic up to
//! float rounding: the query, key and value projections are one matrix
//! product instead of three, the softmax is candle's fused last-dimension
//! kernel, and GELU's erf is a branch-free approximation (absolute error
//! under 5e-7 in f32) instead of a libm call per value. That call was about
//! a fifth of a typed answer's analysis time on 2 cores.

use candle_core::{DType, Module, Tensor};
use candle_nn::{layer_norm, linear, LayerNorm, Linear, VarBuilder};
use candle_transformers::models::bert::Config;

/// The encoder: its layers, applied in order.
pub(super) struct Encoder {
    layers: Vec<Layer>,
}

/// One transformer layer.
struct Layer {
    /// Query, key and value projections stacked: (3 x hidden, hidden).
    qkv: Linear,
    heads: usize,
    head_size: usize,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

impl Encoder {
    /// Loads the layers from `vb` (the checkpoint's `encoder` prefix).
    pub(super) fn load(vb: VarBuilder, config: &Config) -> candle_core::Result<Self> {
        let layers = (0..config.num_hidden_layers)
            .map(|i| Layer::load(vb.pp("layer").pp(i), config))
            .collect::<candle_core::Result<Vec<_>>>()?;
        Ok(Self { layers })
    }

    /// Runs the layers over `x` (batch, tokens, hidden) with an additive
    /// attention `mask` (batch, 1, tokens, tokens).
    pub(super) fn forward(&self, x: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
        let mut x = x.clone();
        for layer in &self.layers {
            x = layer.forward(&x, mask)?;
        }
        Ok(x)
    }
}

impl Layer {
    fn load(vb: VarBuilder, config: &Config) -> candle_core::Result<Self> {
        let hidden = config.hidden_size;
        let heads = config.num_attention_heads;
        let eps = config.layer_norm_eps;
        // The three projections' weights and biases, stacked in that order.
        let own = vb.pp("attention").pp("self");
        let stacked = |what: &str, shape: &[usize]| -> candle_core::Result<Tensor> {
            let parts = ["query", "key", "value"]
                .map(|name| own.pp(name).get(shape, what))
                .into_iter()
                .collect::<candle_core::Result<Vec<_>>>()?;
            Tensor::cat(&parts, 0)
        };
        let qkv = Linear::new(
            stacked("weight", &[hidden, hidden])?,
            Some(stacked("bias", &[hidden])?),
        );
        let attention = vb.pp("attention").pp("output");
        Ok(Self {
            qkv,
            heads,
            head_size: hidden / heads,
            attention_out: linear(hidden, hidden, attention.pp("dense"))?,
            attention_norm: layer_norm(hidden, eps, attention.pp("LayerNorm"))?,
            intermediate: linear(
                hidden,
                config.intermediate_size,
                vb.pp("intermediate").pp("dense"),
            )?,
            output: linear(
                config.intermediate_size,
                hidden,
                vb.pp("output").pp("dense"),
            )?,
            output_norm: layer_norm(hidden, eps, vb.pp("output").pp("LayerNorm"))?,
        })
    }

    fn forward(&self, x: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
        let (batch, tokens, hidden) = x.dims3()?;
        // (3, batch, heads, tokens, head size)
        let qkv = self
            .qkv
            .forward(x)?
            .reshape((batch, tokens, 3, self.heads, self.head_size))?
            .permute((2, 0, 3, 1, 4))?;
        let q = qkv.get(0)?.contiguous()?;
        let k = qkv.get(1)?.contiguous()?;
        let v = qkv.get(2)?.contiguous()?;
        let scores = (q.matmul(&k.t()?)? / (self.head_size as f64).sqrt())?;
        let weights = candle_nn::ops::softmax_last_dim(&scores.broadcast_add(mask)?)?;
        let context = weights
            .matmul(&v)?
            .transpose(1, 2)?
            .contiguous()?
            .reshape((batch, tokens, hidden))?;
        let attended = self
            .attention_norm
            .forward(&(self.attention_out.forward(&context)? + x)?)?;
        let inner = gelu(&self.intermediate.forward(&attended)?)?;
        self.output_norm
            .forward(&(self.output.forward(&inner)? + &attended)?)
    }
}

/// GELU, x * (1 + erf(x / sqrt 2)) / 2, on an F32 tensor.
fn gelu(x: &Tensor) -> candle_core::Result<Tensor> {
    let shape = x.shape().clone();
    let mut values = x.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()?;
    for v in &mut values {
        *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
    }
    Tensor::from_vec(values, shape, x.device())?.to_dtype(x.dtype())
}

/// erf by Abramowitz and Stegun 7.1.26 (absolute error under 1.5e-7, plus
/// f32 rounding and [`exp_negative`]'s), without branches so that a loop
/// over it vectorises.
fn erf(x: f32) -> f32 {
    const P: f32 = 0.327_591_1;
    const A: [f32; 5] = [
        0.254_829_6,
        -0.284_496_72,
        1.421_413_8,
        -1.453_152,
        1.061_405_4,
    ];
    let a = x.abs();
    let t = 1.0 / (1.0 + P * a);
    let poly = t * (A[0] + t * (A[1] + t * (A[2] + t * (A[3] + t * A[4]))));
    let magnitude = 1.0 - poly * exp_negative(-a * a);
    magnitude.copysign(x)
}

/// e^y for y <= 0 (relative error about 2e-7; 0 below -87), branch-free:
/// y = n ln 2 + r with |r| <= ln 2 / 2, e^r by its Taylor series to r^7,
/// and 2^n put straight into the float's exponent bits.
fn exp_negative(y: f32) -> f32 {
    let y = y.max(-87.0);
    // Round to nearest by the 1.5 x 2^23 trick (no libm call).
    const SHIFTER: f32 = 12_582_912.0;
    let n = (y * std::f32::consts::LOG2_E + SHIFTER) - SHIFTER;
    // ln 2 in two parts (Cody and Waite): n times the first is exact, so
    // r keeps its precision however large n is.
    const LN_2_HIGH: f32 = 0.693_359_4;
    const LN_2_LOW: f32 = -2.121_944_4e-4;
    let r = (y - n * LN_2_HIGH) - n * LN_2_LOW;
    let mut e = 1.0 / 5040.0;
    for c in [
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ] {
        e = e * r + c;
    }
    let scale = f32::from_bits(((n as i32 + 127) as u32) << 23);
    e * scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_libm_closely_over_the_range_gelu_sees() {
        let mut worst: f64 = 0.0;
        for i in -12_000..=12_000 {
            let x = i as f32 / 1000.0;
            let exact = libm_erf(x as f64);
            worst = worst.max((erf(x) as f64 - exact).abs());
        }
        assert!(worst < 5e-7, "worst error {worst}");
    }

    #[test]
    fn exp_negative_matches_std_to_float_precision() {
        for i in 0..=8_700 {
            let y = -(i as f32) / 100.0;
            let exact = (y as f64).exp();
            let got = exp_negative(y) as f64;
            assert!(
                (got - exact).abs() <= 4e-7 * exact + 1e-38,
                "e^{y}: {got} vs {exact}"
            );
        }
    }

    /// erf in f64 by its Maclaurin series (|x| < 3) or its continued
    /// fraction tail, as the reference for the tests.
    fn libm_erf(x: f64) -> f64 {
        let a = x.abs();
        let value = if a < 3.0 {
            let mut term = a;
            let mut sum = a;
            let mut n = 0.0;
            while term.abs() > 1e-17 * sum.abs().max(1e-300) {
                n += 1.0;
                term *= -a * a / n;
                sum += term / (2.0 * n + 1.0);
            }
            2.0 / std::f64::consts::PI.sqrt() * sum
        } else {
            // erfc by Lentz's continued fraction.
            let mut f = a;
            for k in (1..60).rev() {
                f = a + (k as f64 / 2.0) / f;
            }
            1.0 - (-a * a).exp() / (f * std::f64::consts::PI.sqrt())
        };
        value.copysign(x)
    }
}
