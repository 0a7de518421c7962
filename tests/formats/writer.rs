//! Test-only writers for tiny GGUF and safetensors files (no real weights).
//!
//! Shared by the integration tests and the `formats_bench` example (through `#[path]`).
#![allow(dead_code)]

/// A GGUF value.
#[derive(Clone)]
pub enum Val {
    /// type 4
    U32(u32),
    /// type 5
    I32(i32),
    /// type 8
    Str(String),
    /// type 9 of type 8
    Strs(Vec<String>),
    /// type 9 of type 6
    F32s(Vec<f32>),
}

/// A GGUF file to write.
pub struct Gguf {
    /// 2 or 3.
    pub version: u32,
    /// Big-endian numbers (the magic stays `GGUF`).
    pub big_endian: bool,
    /// Key-value pairs in order.
    pub kvs: Vec<(String, Val)>,
    /// Declared tensor count (tensor infos are not written; the reader never gets there).
    pub tensors: u64,
}

impl Gguf {
    /// Version 3, little-endian, no keys.
    pub fn new() -> Self {
        Gguf {
            version: 3,
            big_endian: false,
            kvs: Vec::new(),
            tensors: 0,
        }
    }

    /// Adds a string key.
    pub fn s(mut self, key: &str, value: &str) -> Self {
        self.kvs.push((key.into(), Val::Str(value.into())));
        self
    }

    /// Adds any key.
    pub fn kv(mut self, key: &str, value: Val) -> Self {
        self.kvs.push((key.into(), value));
        self
    }

    fn u32(&self, out: &mut Vec<u8>, v: u32) {
        out.extend(if self.big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        });
    }

    fn u64(&self, out: &mut Vec<u8>, v: u64) {
        out.extend(if self.big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        });
    }

    fn string(&self, out: &mut Vec<u8>, s: &str) {
        self.u64(out, s.len() as u64);
        out.extend(s.as_bytes());
    }

    /// The header bytes: magic, version, counts and key-value pairs.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = b"GGUF".to_vec();
        self.u32(&mut out, self.version);
        self.u64(&mut out, self.tensors);
        self.u64(&mut out, self.kvs.len() as u64);
        for (key, val) in &self.kvs {
            self.string(&mut out, key);
            match val {
                Val::U32(v) => {
                    self.u32(&mut out, 4);
                    self.u32(&mut out, *v);
                }
                Val::I32(v) => {
                    self.u32(&mut out, 5);
                    self.u32(&mut out, *v as u32);
                }
                Val::Str(s) => {
                    self.u32(&mut out, 8);
                    self.string(&mut out, s);
                }
                Val::Strs(items) => {
                    self.u32(&mut out, 9);
                    self.u32(&mut out, 8);
                    self.u64(&mut out, items.len() as u64);
                    for s in items {
                        self.string(&mut out, s);
                    }
                }
                Val::F32s(items) => {
                    self.u32(&mut out, 9);
                    self.u32(&mut out, 6);
                    self.u64(&mut out, items.len() as u64);
                    for f in items {
                        self.u32(&mut out, f.to_bits());
                    }
                }
            }
        }
        out
    }
}

/// A safetensors file: header length, JSON header with one tensor and `metadata`, then
/// `data` bytes of weights.
pub fn safetensors(metadata: &[(&str, &str)], data: usize) -> Vec<u8> {
    let meta: serde_json::Map<String, serde_json::Value> = metadata
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
        .collect();
    let header = serde_json::json!({
        "w": {"dtype": "U8", "shape": [data], "data_offsets": [0, data]},
        "__metadata__": meta,
    })
    .to_string();
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend(header.as_bytes());
    out.extend(vec![0u8; data]);
    out
}
