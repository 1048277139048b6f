//! What the store's test files share.

use vigie_domain::{NewWatch, Sensitivity, SourceKind};

pub const NOW: i64 = 1_760_000_000;

pub fn watch(name: &str, query: &str) -> NewWatch {
    NewWatch {
        name: name.into(),
        query: query.into(),
        languages: vec!["fr".into()],
        sensitivity: Sensitivity::High,
        enabled: true,
        sensitive_words: vec![],
        thresholds: None,
    }
}

pub fn feed(url: &str) -> SourceKind {
    SourceKind::Feed { url: url.into() }
}
