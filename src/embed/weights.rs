//! Reading a safetensors file's tensors one at a time into memory, without
//! mapping the file: a mapped file's pages count as the process's memory
//! while the copies are made, which doubled the embedder's 90 MB at load
//! (and so the peak memory of a session that loads it). Chosen F32 tensors
//! can be kept at half precision (F16) as they are read, one at a time, so
//! their f32 copy never exists all at once.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use candle_core::{Device, Tensor};

/// Largest header accepted (the format's own limit is 100 MB).
const MAX_HEADER: u64 = 100 * 1024 * 1024;

/// Every tensor (F32 or I64) of the safetensors file at `path`, by name;
/// the F32 tensors whose name `keep_half` accepts are stored as F16. Errors name
/// what is wrong with the file.
pub(crate) fn read_tensors(
    path: &Path,
    keep_half: impl Fn(&str) -> bool,
) -> Result<HashMap<String, Tensor>, String> {
    let mut file = File::open(path).map_err(|e| e.to_string())?;
    let file_len = file.metadata().map_err(|e| e.to_string())?.len();
    let mut len_bytes = [0u8; 8];
    file.read_exact(&mut len_bytes)
        .map_err(|e| format!("cannot read the header length: {e}"))?;
    let header_len = u64::from_le_bytes(len_bytes);
    if header_len > MAX_HEADER || 8 + header_len > file_len {
        return Err(format!(
            "header length {header_len} does not fit a {file_len}-byte file"
        ));
    }
    let mut header = vec![0u8; header_len as usize];
    file.read_exact(&mut header)
        .map_err(|e| format!("cannot read the header: {e}"))?;
    let header: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&header).map_err(|e| format!("header is not JSON: {e}"))?;
    let data_start = 8 + header_len;
    let mut tensors = HashMap::new();
    for (name, info) in &header {
        if name == "__metadata__" {
            continue;
        }
        let bad = |what: &str| format!("tensor {name}: {what}");
        let dtype = info["dtype"].as_str().ok_or_else(|| bad("no dtype"))?;
        let width = match dtype {
            "F32" => 4,
            "I64" => 8,
            other => return Err(bad(&format!("dtype {other}, expected F32 or I64"))),
        };
        let shape: Vec<usize> = info["shape"]
            .as_array()
            .ok_or_else(|| bad("no shape"))?
            .iter()
            .map(|d| d.as_u64().map(|d| d as usize))
            .collect::<Option<_>>()
            .ok_or_else(|| bad("bad shape"))?;
        let offsets: Vec<u64> = info["data_offsets"]
            .as_array()
            .ok_or_else(|| bad("no data_offsets"))?
            .iter()
            .map(|d| d.as_u64())
            .collect::<Option<_>>()
            .ok_or_else(|| bad("bad data_offsets"))?;
        let [begin, end] = offsets[..] else {
            return Err(bad("data_offsets is not [begin, end]"));
        };
        let count: usize = shape.iter().product();
        if end < begin || end - begin != (count * width) as u64 || data_start + end > file_len {
            return Err(bad("data_offsets do not match its shape or the file"));
        }
        let mut bytes = vec![0u8; count * width];
        file.seek(SeekFrom::Start(data_start + begin))
            .and_then(|_| file.read_exact(&mut bytes))
            .map_err(|e| bad(&e.to_string()))?;
        let tensor = if width == 4 {
            let values: Vec<f32> = bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            drop(bytes);
            if keep_half(name) {
                let values: Vec<half::f16> = values.into_iter().map(half::f16::from_f32).collect();
                Tensor::from_vec(values, shape, &Device::Cpu)
            } else {
                Tensor::from_vec(values, shape, &Device::Cpu)
            }
        } else {
            let values: Vec<i64> = bytes
                .chunks_exact(8)
                .map(|b| i64::from_le_bytes(b.try_into().unwrap_or_default()))
                .collect();
            Tensor::from_vec(values, shape, &Device::Cpu)
        }
        .map_err(|e| bad(&e.to_string()))?;
        tensors.insert(name.clone(), tensor);
    }
    Ok(tensors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, header: &str, data: &[u8]) {
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(data);
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn tensors_are_read_with_their_shapes_and_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.safetensors");
        let data: Vec<u8> = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, -1.5]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        write(
            &path,
            r#"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b":{"dtype":"F32","shape":[1],"data_offsets":[24,28]}}"#,
            &data,
        );
        let t = read_tensors(&path, |_| false).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(
            t["a"].to_vec2::<f32>().unwrap(),
            [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
        );
        assert_eq!(t["b"].to_vec1::<f32>().unwrap(), [-1.5]);
    }

    #[test]
    fn chosen_tensors_are_kept_at_half_precision() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.safetensors");
        let data: Vec<u8> = [0.1f32, -2.5, 1000.0, 7.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        write(
            &path,
            r#"{"small":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"kept":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}"#,
            &data,
        );
        let t = read_tensors(&path, |name| name == "small").unwrap();
        assert_eq!(t["small"].dtype(), candle_core::DType::F16);
        assert_eq!(t["kept"].dtype(), candle_core::DType::F32);
        let small = t["small"].to_vec1::<half::f16>().unwrap();
        let back: Vec<f32> = small.iter().map(|v| v.to_f32()).collect();
        // f16 keeps 11 significant bits: 0.1 is 0.099975586.
        assert_eq!(back, [0.099975586, -2.5, 1000.0]);
        assert_eq!(t["kept"].to_vec1::<f32>().unwrap(), [7.0]);
    }

    #[test]
    fn a_truncated_or_mismatched_file_is_an_error_naming_the_tensor() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.safetensors");
        write(
            &path,
            r#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#,
            &[0u8; 8],
        );
        let e = read_tensors(&path, |_| false).unwrap_err();
        assert!(e.contains("tensor a"), "{e}");
        write(
            &path,
            r#"{"a":{"dtype":"BF16","shape":[4],"data_offsets":[0,8]}}"#,
            &[0u8; 8],
        );
        assert!(read_tensors(&path, |_| false).unwrap_err().contains("BF16"));
        std::fs::write(&path, [255u8; 8]).unwrap();
        assert!(read_tensors(&path, |_| false)
            .unwrap_err()
            .contains("header length"));
    }
}
