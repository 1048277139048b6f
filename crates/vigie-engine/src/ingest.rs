//! Ingest: normalised entries → matched against every watch → stored in one transaction.

use crate::normalize::{normalize_with_tokens, title_and_text_tokens, RawEntry};
use std::collections::HashSet;
use std::sync::Arc;
use vigie_domain::text::{MatchText, Tokens};
use vigie_domain::{NewMention, NewWatch, Query, Timestamp, Tonality, ToneLabel, Watch};
use vigie_store::{MatchFacts, Store, StoreError};
use vigie_tonality::{detect_language, Analyzer, Lang};

/// Normalises a source's raw entries and matches them against every watch: the CPU part of
/// ingest, done outside the store lock. The store then writes the batch in one transaction.
pub fn prepare(
    source_id: i64,
    entries: Vec<RawEntry>,
    matcher: &Matcher,
    now: Timestamp,
) -> Vec<(NewMention, Vec<i64>)> {
    entries
        .into_iter()
        .filter_map(|e| normalize_with_tokens(source_id, e, now))
        .map(|(mut m, tokens)| {
            matcher.tone(&mut m);
            let ids = matcher.matching_text(&m, &match_text(tokens, &m));
            (m, ids)
        })
        .collect()
}

/// What watches match against: the folded words of the title and text, then the author.
fn match_text(mut tokens: Tokens, m: &NewMention) -> MatchText {
    if let Some(a) = &m.author {
        tokens.push(a);
    }
    MatchText::from(tokens)
}

/// Drops the entries whose GUID the source already knows ([`Store::known_guids`]: stored
/// under that source, or found stored from another feed), before [`prepare`]: a feed fetched
/// again mostly repeats itself, and the store would only count those entries as duplicates
/// after they were normalised, toned and matched (most of ingest's CPU). Entries without a
/// GUID are kept: the store dedupes them by URL and content hash, which need the normalised
/// entry. Returns how many were dropped; on a look-up error `entries` is left whole (the
/// store dedupes them all the same, only later).
///
/// [`Store::known_guids`]: vigie_store::Store::known_guids
pub fn drop_known(
    reader: &Store,
    source_id: i64,
    entries: &mut Vec<RawEntry>,
) -> Result<usize, StoreError> {
    let known = reader.known_guids(source_id, entries.iter().filter_map(RawEntry::guid))?;
    Ok(drop_guids(entries, &known))
}

fn drop_guids(entries: &mut Vec<RawEntry>, known: &HashSet<String>) -> usize {
    let before = entries.len();
    if !known.is_empty() {
        entries.retain(|e| e.guid().is_none_or(|g| !known.contains(g)));
    }
    before - entries.len()
}

/// How far back a new or changed watch is matched against the mentions already stored: the
/// history its level is computed from (the signal pass's backfill, 14 days), at most
/// [`REMATCH_LIMIT`] mentions (the newest). Matches of older mentions are left as they were.
pub const REMATCH_SECS: i64 = 14 * 86_400;
pub const REMATCH_LIMIT: usize = 200_000;

/// Whether saving a watch as `after` (over `before`; none for a new watch) changes which
/// mentions it matches: new, query or languages changed, or enabled again (a disabled watch is
/// not matched at ingest).
pub fn needs_rematch(before: Option<&Watch>, after: &Watch) -> bool {
    after.enabled
        && before
            .is_none_or(|b| !b.enabled || b.query != after.query || b.languages != after.languages)
}

/// Adds (`id` none) or changes a watch. Returns it, and whether what it matches changed
/// ([`needs_rematch`]): then [`find_matches`] on a reader and [`Store::set_watch_matches`]
/// bring its stream up to date (the writer is not held while the mentions are read).
pub fn save_watch(
    store: &mut Store,
    id: Option<i64>,
    w: &NewWatch,
    now: Timestamp,
) -> Result<(Watch, bool), StoreError> {
    store.batch(|s| {
        let before = id.map(|id| s.watch(id)).transpose()?;
        let saved = match id {
            Some(id) => s.update_watch(id, w, now)?,
            None => s.add_watch(w, now)?,
        };
        let changed = needs_rematch(before.as_ref(), &saved);
        Ok((saved, changed))
    })
}

/// The stored mentions a watch was matched against again, and those it matches.
#[derive(Debug, Default)]
pub struct Rematch {
    pub scanned: Vec<i64>,
    pub matched: Vec<i64>,
}

/// Matches `watch` against the mentions stored over the last [`REMATCH_SECS`], by the rule
/// ingest applies (what the watch editor's preview shows). Reads only: give it a reader.
pub fn find_matches(
    reader: &Store,
    watch: &Watch,
    tonality: Arc<Analyzer>,
    now: Timestamp,
) -> Result<Rematch, StoreError> {
    let matcher = Matcher::new(std::slice::from_ref(watch), tonality);
    let mut out = Rematch::default();
    reader.each_match_facts_since(now - REMATCH_SECS, REMATCH_LIMIT, |m| {
        out.scanned.push(m.id);
        if !matcher.matching_stored(&m).is_empty() {
            out.matched.push(m.id);
        }
    })?;
    Ok(out)
}

/// [`save_watch`], then, when what it matches changed, [`find_matches`] through `reader` and
/// [`Store::set_watch_matches`]. Returns the watch and, when it was matched again, how many
/// of the scanned mentions it matches.
pub fn save_and_match_watch(
    store: &mut Store,
    reader: &Store,
    id: Option<i64>,
    w: &NewWatch,
    tonality: Arc<Analyzer>,
    now: Timestamp,
) -> Result<(Watch, Option<usize>), StoreError> {
    let (saved, changed) = save_watch(store, id, w, now)?;
    if !changed {
        return Ok((saved, None));
    }
    let found = find_matches(reader, &saved, tonality, now)?;
    store.set_watch_matches(saved.id, &found.scanned, &found.matched)?;
    Ok((saved, Some(found.matched.len())))
}

/// Characters of a mention read for its tonality, and for its language.
const TONE_CHARS: usize = 1_000;
const LANG_CHARS: usize = 300;

/// Byte length of the first `n` characters of `s`.
fn chars_end(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

/// The enabled watches, compiled once per poll cycle, and the tonality analyser.
pub struct Matcher {
    /// Each enabled watch as it was when compiled (see [`Matcher::is_current`]), with its
    /// query; none for a stored query that no longer parses (the store refuses bad queries,
    /// so only a hand-edited database has one), which matches nothing.
    watches: Vec<(WatchDefinition, Option<Query>)>,
    tonality: Arc<Analyzer>,
}

/// What decides a watch's matches: its identity (an id can be reused once its watch is
/// removed), query and languages.
#[derive(Debug, PartialEq, Eq)]
struct WatchDefinition {
    id: i64,
    created_at: Timestamp,
    query: String,
    languages: Vec<String>,
}

fn definitions(watches: &[Watch]) -> impl Iterator<Item = WatchDefinition> + '_ {
    watches
        .iter()
        .filter(|w| w.enabled)
        .map(|w| WatchDefinition {
            id: w.id,
            created_at: w.created_at,
            query: w.query.clone(),
            languages: w.languages.clone(),
        })
}

impl Matcher {
    /// Compiles the enabled watches.
    pub fn new(watches: &[Watch], tonality: Arc<Analyzer>) -> Self {
        Matcher {
            tonality,
            watches: definitions(watches)
                .map(|d| {
                    let q = Query::parse(&d.query).ok();
                    (d, q)
                })
                .collect(),
        }
    }

    /// Whether `watches` (the store's, now) are still the enabled watches this matcher was
    /// compiled from: same ids, created at the same time, same queries and languages.
    pub fn is_current(&self, watches: &[Watch]) -> bool {
        let now: Vec<WatchDefinition> = definitions(watches).collect();
        self.watches.iter().map(|(d, _)| d).eq(&now)
    }

    /// A matcher over other watches, sharing this one's tonality analyser.
    pub fn recompiled(&self, watches: &[Watch]) -> Matcher {
        Matcher::new(watches, Arc::clone(&self.tonality))
    }

    /// Ids of the watches a prepared mention matches (as [`prepare`] found them).
    pub fn matching(&self, m: &NewMention) -> Vec<i64> {
        self.matching_text(m, &match_text(title_and_text_tokens(&m.title, &m.text), m))
    }

    /// Sets the mention's language (detected when the source did not say) and its tonality
    /// (French and English only).
    pub fn tone(&self, m: &mut NewMention) {
        // The title and the lead carry the tone of an article; bounding the text keeps
        // long pages from costing a hundred times a post.
        let mut text = format!("{}. {}", m.title, m.text);
        text.truncate(chars_end(&text, TONE_CHARS));
        let tone = match m.lang.as_deref() {
            Some("fr") => Some(self.tonality.analyze(&text, Lang::Fr)),
            Some("en") => Some(self.tonality.analyze(&text, Lang::En)),
            // The source says another language: no French or English reading.
            Some(_) => None,
            None => match detect_language(&text[..chars_end(&text, LANG_CHARS)]) {
                Some(l) => {
                    m.lang = Some(if l == Lang::Fr { "fr" } else { "en" }.to_string());
                    Some(self.tonality.analyze(&text, l))
                }
                // Undecided: short posts often are ("plus jamais X", "X recalls packs over
                // listeria"), and a crisis is made of them. Both lexicons read it and the
                // one that finds more tone speaks; text in another language finds little
                // in either and stays neutral. The language itself stays unknown.
                None => {
                    let fr = self.tonality.analyze(&text, Lang::Fr);
                    let en = self.tonality.analyze(&text, Lang::En);
                    Some(if en.score.abs() > fr.score.abs() {
                        en
                    } else {
                        fr
                    })
                }
            },
        };
        m.tonality = tone.map(|t| Tonality {
            score: t.score,
            label: match t.label {
                vigie_tonality::Label::Negative => ToneLabel::Negative,
                vigie_tonality::Label::Neutral => ToneLabel::Neutral,
                vigie_tonality::Label::Positive => ToneLabel::Positive,
            },
            anger: t.anger,
        });
    }

    /// Ids of the watches this mention matches, its text already prepared.
    pub fn matching_text(&self, m: &NewMention, text: &MatchText) -> Vec<i64> {
        self.matching_in(m.lang.as_deref(), text)
    }

    /// Ids of the watches a stored mention matches, by the same rule as when it was stored.
    pub fn matching_stored(&self, m: &MatchFacts) -> Vec<i64> {
        let mut tokens = title_and_text_tokens(&m.title, &m.text);
        if let Some(a) = &m.author {
            tokens.push(a);
        }
        self.matching_in(m.lang.as_deref(), &MatchText::from(tokens))
    }

    /// A watch limited to some languages skips mentions known to be in another language
    /// (unknown passes).
    fn matching_in(&self, lang: Option<&str>, text: &MatchText) -> Vec<i64> {
        self.watches
            .iter()
            .filter(|(d, _)| match (lang, d.languages.is_empty()) {
                (_, true) | (None, _) => true,
                (Some(l), false) => d.languages.iter().any(|x| x == l),
            })
            .filter(|(_, q)| q.as_ref().is_some_and(|q| q.matches(text)))
            .map(|(d, _)| d.id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{chars_end, drop_guids};
    use crate::normalize::RawEntry;
    use std::collections::HashSet;

    fn watch(id: i64, query: &str, created_at: i64) -> vigie_domain::Watch {
        vigie_domain::Watch {
            id,
            name: format!("w{id}"),
            query: query.into(),
            languages: vec![],
            sensitivity: vigie_domain::Sensitivity::Medium,
            enabled: true,
            sensitive_words: vec![],
            thresholds: None,
            created_at,
            updated_at: created_at,
        }
    }

    #[test]
    fn short_posts_in_no_detectable_language_still_get_a_tone() {
        let m = super::Matcher::new(&[], std::sync::Arc::new(vigie_tonality::Analyzer::new()));
        let toned = |title: &str, lang: Option<&str>| {
            let mut n = crate::normalize::normalize(
                1,
                RawEntry {
                    title: Some(title.into()),
                    lang: lang.map(Into::into),
                    ..RawEntry::default()
                },
                1_000,
            )
            .unwrap();
            m.tone(&mut n);
            (n.lang, n.tonality.map(|t| t.label))
        };
        for (post, label) in [
            (
                "Nordelia: horrible, disgusting, never again!",
                vigie_domain::ToneLabel::Negative,
            ),
            (
                "Scandale Nordelia : dégueulasse",
                vigie_domain::ToneLabel::Negative,
            ),
        ] {
            assert_eq!(
                vigie_tonality::detect_language(&format!("{post}. {post}")),
                None,
                "{post}: pick a post the detector leaves undecided"
            );
            assert_eq!(toned(post, None), (None, Some(label)), "{post}");
        }
        // Not read across languages: a short English post whose words are also French ones
        // ("sale": dirty, "content": happy) keeps its English reading (a brand's own sale
        // must not count as an angry post). The cost: a short French post the detector takes
        // for English ("Brightwave arnaque") reads neutral.
        for post in [
            "Brightwave Black Friday sale",
            "Brightwave new content drop",
        ] {
            assert_ne!(
                toned(post, None).1,
                Some(vigie_domain::ToneLabel::Negative),
                "{post}"
            );
        }
        assert_eq!(
            toned("Brightwave Black Friday sale", None),
            (Some("en".into()), Some(vigie_domain::ToneLabel::Neutral))
        );
        // A source that names another language gets no French or English reading.
        assert_eq!(toned("Brightwave: horrible!", Some("es")).1, None);
        // Text in another language finds little in either lexicon.
        assert_eq!(
            toned("Mein Sohn hat nach dem Joghurt erbrochen", None),
            (None, Some(vigie_domain::ToneLabel::Neutral))
        );
    }

    #[test]
    fn matching_again_finds_what_prepare_found_and_changes_are_seen() {
        let watches = vec![
            watch(1, "usine", 10),
            watch(2, "\"appel au boycott\"", 10),
            watch(3, "marie", 10),
            watch(4, "societe -greve", 10),
            watch(5, "brightwave", 10),
        ];
        let matcher = super::Matcher::new(&watches, std::sync::Arc::default());
        let entry = |title: &str, body: &str, author: Option<&str>| RawEntry {
            title: Some(title.into()),
            body: Some(body.into()),
            body_is_html: true,
            author: author.map(str::to_string),
            ..Default::default()
        };
        let prepared = super::prepare(
            1,
            vec![
                entry("L'usine ferme", "<p>Un appel au boycott</p>", Some("Marie")),
                entry("Société", "La grève continue", None),
                entry("Société", "Tout va bien", None),
                entry("#BoycottBrightwave", "<p>Signez</p>", Some("Camille")),
                entry("Signez", "<p>#boycottbrightwave</p>", None),
            ],
            &matcher,
            100,
        );
        let found: Vec<Vec<i64>> = prepared.iter().map(|(_, ids)| ids.clone()).collect();
        assert_eq!(found, [vec![1, 2, 3], vec![], vec![4], vec![5], vec![]]);
        for (m, ids) in &prepared {
            assert_eq!(&matcher.matching(m), ids);
        }
        assert!(matcher.is_current(&watches));
        let mut disabled = watches.clone();
        disabled[0].enabled = false;
        let mut edited = watches.clone();
        edited[1].query = "boycott".into();
        let mut reused = watches.clone();
        reused[3].created_at = 11;
        let mut renamed = watches.clone();
        renamed[2].name = "Marie D.".into();
        assert!(!matcher.is_current(&disabled));
        assert!(!matcher.is_current(&edited));
        assert!(!matcher.is_current(&reused));
        assert!(!matcher.is_current(&watches[..4]));
        assert!(
            matcher.is_current(&renamed),
            "a name does not change matches"
        );
    }

    #[test]
    fn a_watch_limited_to_languages_skips_mentions_in_others() {
        let mut fr_only = watch(1, "danone", 10);
        fr_only.languages = vec!["fr".into()];
        let mut en_only = watch(2, "danone", 10);
        en_only.languages = vec!["en".into()];
        let any = watch(3, "danone", 10);
        let matcher = super::Matcher::new(&[fr_only, en_only, any], std::sync::Arc::default());
        let entry = |title: &str, lang: Option<&str>| RawEntry {
            title: Some(title.into()),
            lang: lang.map(str::to_string),
            ..Default::default()
        };
        let prepared = super::prepare(
            1,
            vec![
                // The feed says French; detection would agree.
                entry(
                    "Danone rappelle des yaourts dans toute la France",
                    Some("fr"),
                ),
                // No language given: detected as English.
                entry(
                    "Danone recalls yogurts across the country after the factory shut down",
                    None,
                ),
                // Neither given nor detectable: every watch may match it.
                entry("Danone", None),
            ],
            &matcher,
            100,
        );
        let found: Vec<(Option<String>, Vec<i64>)> = prepared
            .iter()
            .map(|(m, ids)| (m.lang.clone(), ids.clone()))
            .collect();
        assert_eq!(
            found,
            [
                (Some("fr".into()), vec![1, 3]),
                (Some("en".into()), vec![2, 3]),
                (None, vec![1, 2, 3]),
            ]
        );
    }

    #[test]
    fn known_guids_are_dropped_and_entries_without_one_kept() {
        let entry = |guid: Option<&str>, title: &str| RawEntry {
            guid: guid.map(str::to_string),
            title: Some(title.to_string()),
            ..Default::default()
        };
        let entries = vec![
            entry(Some(" a "), "known, GUID with spaces around"),
            entry(Some("b"), "new"),
            entry(None, "no GUID"),
            entry(Some("  "), "blank GUID"),
            entry(Some("a"), "known again"),
        ];
        let known: HashSet<String> = ["a".to_string()].into();
        let mut kept = entries.clone();
        assert_eq!(drop_guids(&mut kept, &known), 2);
        let titles: Vec<_> = kept.iter().map(|e| e.title.as_deref().unwrap()).collect();
        assert_eq!(titles, ["new", "no GUID", "blank GUID"]);
        let mut all = entries;
        assert_eq!(drop_guids(&mut all, &HashSet::new()), 0);
        assert_eq!(all.len(), 5);
    }

    #[test]
    fn chars_end_counts_characters_not_bytes() {
        assert_eq!(chars_end("été !", 2), "ét".len());
        assert_eq!(chars_end("été", 3), "été".len());
        assert_eq!(chars_end("été", 10), "été".len());
        assert_eq!(chars_end("", 1), 0);
    }
}
