//! AFL fuzz targets for model-license (stable Rust, cargo-afl). See docs/fuzzing.md.
//!
//! The harness bodies live in [`harness`]; this crate adds an allocator that aborts on any
//! single allocation over [`MAX_ALLOCATION`], so a length field trusted too far is a crash
//! AFL records, not a slow run.

pub mod harness;

use std::alloc::{GlobalAlloc, Layout, System};

/// Largest single allocation a target may make: the readers' own caps are 32 MiB (GGUF
/// header budget) and 16 MiB (safetensors header), so anything bigger is a bug.
pub const MAX_ALLOCATION: usize = 64 << 20;

/// The system allocator with a per-allocation ceiling.
pub struct Capped;

// SAFETY: forwards to `System` unchanged; only refuses (aborts on) oversized requests.
unsafe impl GlobalAlloc for Capped {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() > MAX_ALLOCATION {
            std::process::abort();
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() > MAX_ALLOCATION {
            std::process::abort();
        }
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > MAX_ALLOCATION {
            std::process::abort();
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Capped = Capped;
