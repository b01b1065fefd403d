//! Shared access to the captured SDP fixtures in `tests/fixtures/`.
#![allow(dead_code)]

use std::path::PathBuf;

/// The fixture directory.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every `*.sdp` fixture as (file name, contents), sorted by name.
pub fn all() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir())
        .expect("fixture directory")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sdp"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("fixture text"))
        })
        .collect();
    out.sort();
    out
}

/// One fixture's contents.
pub fn read(name: &str) -> String {
    std::fs::read_to_string(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// One fixture, parsed.
pub fn parse(name: &str) -> rtcio_sdp::SessionDescription {
    rtcio_sdp::SessionDescription::parse(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}
