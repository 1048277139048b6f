//! The watch query in SQLite FTS5's syntax, for the stream's full-text search.

use super::{Node, Query};

impl Query {
    /// The query in SQLite FTS5's syntax, for the full-text index of mentions (tokenizer
    /// `unicode61 remove_diacritics 2`), every term quoted so no word is read as an operator.
    ///
    /// It finds **candidates**: every mention the query matches, and maybe a few more, which
    /// the caller checks with [`Query::matches`]. The index's words are not quite the
    /// matcher's: it keeps elided letters as words ("l'usine" is `l usine`, so the phrase
    /// "grève à l'usine" is not `greve a usine` there), it keeps the ligatures œ, æ and ß
    /// that folding expands, and it cannot run a phrase from the title into the text. So a
    /// phrase that adds to the result asks for its words anywhere, each in every spelling
    /// ("coeur" or "cœur"); a phrase whose mentions are taken away (under NOT) asks for the
    /// exact phrase, so that no mention the query matches is taken away.
    pub fn fts5(&self) -> String {
        let (expr, negated) = fts(&self.root, false);
        // `parse` only accepts a query some word must appear in, and such a node never
        // comes out as what it excludes (FTS5 has no "everything but").
        debug_assert!(!negated, "{}", self.source);
        expr
    }
}

/// The FTS5 expression of a node, and whether it stands for what the node excludes (FTS5's
/// `NOT` only subtracts: `a NOT b`). `under_not`: the node is under an odd number of NOTs,
/// so its mentions are taken away and its expression must not find too many.
fn fts(node: &Node, under_not: bool) -> (String, bool) {
    let group = |parts: &[String], op: &str| format!("({})", parts.join(op));
    match node {
        Node::Phrase(words) if under_not => (fts_phrase(words), false),
        Node::Phrase(words) => {
            let each: Vec<String> = words
                .iter()
                .map(|w| one_of(spellings(w).iter().map(|f| quoted(f)).collect()))
                .collect();
            (
                if each.len() == 1 {
                    each[0].clone()
                } else {
                    group(&each, " AND ")
                },
                false,
            )
        }
        Node::Prefix(p) => {
            let forms: Vec<String> = spellings(p)
                .iter()
                .map(|f| format!("{}*", quoted(f)))
                .collect();
            (one_of(forms), false)
        }
        Node::Not(inner) => {
            let (expr, negated) = fts(inner, !under_not);
            (expr, !negated)
        }
        Node::And(parts) | Node::Or(parts) => {
            let (mut pos, mut neg) = (Vec::new(), Vec::new());
            for part in parts {
                let (expr, negated) = fts(part, under_not);
                if negated {
                    neg.push(expr)
                } else {
                    pos.push(expr)
                }
            }
            let and = matches!(node, Node::And(_));
            match (pos.is_empty(), neg.is_empty()) {
                // a AND b / a OR b
                (false, true) => (group(&pos, if and { " AND " } else { " OR " }), false),
                // a AND NOT x AND NOT y = a NOT (x OR y): one NOT however many exclusions
                // (FTS5 nests each NOT a level deeper, and caps the depth).
                (false, false) if and => (
                    format!("({} NOT {})", group(&pos, " AND "), group(&neg, " OR ")),
                    false,
                ),
                // NOT x AND NOT y = NOT (x OR y)
                (true, false) if and => (group(&neg, " OR "), true),
                // NOT x OR NOT y = NOT (x AND y)
                (true, false) => (group(&neg, " AND "), true),
                // a OR NOT x = NOT (x NOT a)
                (false, false) => (
                    format!("({} NOT {})", group(&neg, " AND "), group(&pos, " OR ")),
                    true,
                ),
                (true, true) => unreachable!("a group has at least one part"),
            }
        }
    }
}

fn quoted(word: &str) -> String {
    format!("\"{}\"", word.replace('"', "\"\""))
}

fn one_of(forms: Vec<String>) -> String {
    if forms.len() == 1 {
        forms.into_iter().next().unwrap_or_default()
    } else {
        format!("({})", forms.join(" OR "))
    }
}

/// A phrase with every spelling of its words (at most 8 combinations; past that, only the
/// folded one).
fn fts_phrase(words: &[String]) -> String {
    let mut phrases: Vec<Vec<String>> = vec![Vec::new()];
    for w in words {
        let forms = spellings(w);
        if phrases.len() * forms.len() > 8 {
            phrases.iter_mut().for_each(|p| p.push(w.clone()));
            continue;
        }
        phrases = phrases
            .into_iter()
            .flat_map(|p| {
                forms.iter().map(move |f| {
                    let mut p = p.clone();
                    p.push(f.clone());
                    p
                })
            })
            .collect();
    }
    one_of(phrases.iter().map(|p| quoted(&p.join(" "))).collect())
}

/// A folded word, and the same with the ligatures folding may have expanded.
fn spellings(word: &str) -> Vec<String> {
    let ligatures = word
        .replace("oe", "œ")
        .replace("ae", "æ")
        .replace("ss", "ß");
    if ligatures == word {
        vec![word.to_string()]
    } else {
        vec![word.to_string(), ligatures]
    }
}

#[cfg(test)]
mod tests {
    use crate::Query;

    #[test]
    fn terms_lists_positive_terms_only() {
        let q = Query::parse("(danone OR \"rappel produit\") -bourse boycott*").unwrap();
        assert_eq!(q.terms(), vec!["danone", "rappel produit", "boycott*"]);
    }

    #[test]
    fn fts5_quotes_every_term_and_keeps_the_operators() {
        let f = |q: &str| Query::parse(q).unwrap().fts5();
        let cases: &[(&str, &str)] = &[
            ("Danone", r#""danone""#),
            // Upper-case words only are operators; the French "or" is a word.
            ("danone or", r#"("danone" AND "or")"#),
            ("danone OR lactalis", r#"("danone" OR "lactalis")"#),
            ("danone OU lactalis", r#"("danone" OR "lactalis")"#),
            // A phrase that adds candidates asks for its words (the caller checks the phrase).
            ("\"l'usine de Rouen\"", r#"("usine" AND "de" AND "rouen")"#),
            ("boycott*", r#""boycott"*"#),
            ("danone -bourse", r#"(("danone") NOT ("bourse"))"#),
            // A phrase that takes mentions away stays exact.
            (
                "danone -\"rappel produit\"",
                r#"(("danone") NOT ("rappel produit"))"#,
            ),
            // One NOT, however many exclusions.
            ("danone -a -b -c", r#"(("danone") NOT ("a" OR "b" OR "c"))"#),
            (
                "danone NOT (bourse OR action)",
                r#"(("danone") NOT (("bourse" OR "action")))"#,
            ),
            // a AND (r OR NOT x) = a NOT (x NOT r)
            (
                "lactalis (rappel OR -danone)",
                r#"(("lactalis") NOT ((("danone") NOT ("rappel"))))"#,
            ),
            (
                "rappel (-danone -evian)",
                r#"(("rappel") NOT (("danone" OR "evian")))"#,
            ),
            (
                "rappel (-danone OR -evian)",
                r#"(("rappel") NOT (("danone" AND "evian")))"#,
            ),
            ("NOT NOT danone", r#""danone""#),
            // Words an operator would be read as stay quoted.
            ("\"NEAR\" AND \"and\"", r#"("near" AND "and")"#),
        ];
        for (q, expr) in cases {
            assert_eq!(f(q), *expr, "{q}");
        }
    }

    #[test]
    fn fts5_also_looks_for_the_ligatures_folding_expanded() {
        let f = |q: &str| Query::parse(q).unwrap().fts5();
        assert_eq!(f("cœur"), r#"("coeur" OR "cœur")"#);
        assert_eq!(f("Œuvre*"), r#"("oeuvre"* OR "œuvre"*)"#);
        assert_eq!(
            f("\"sœur et frère\""),
            r#"(("soeur" OR "sœur") AND "et" AND "frere")"#
        );
        assert_eq!(
            f("danone -\"sœur et frère\""),
            r#"(("danone") NOT (("soeur et frere" OR "sœur et frere")))"#
        );
        // An exact phrase keeps to 8 spellings.
        let long = f("danone -\"coeur soeur oeuvre voeu boeuf\"");
        assert_eq!(long.matches(" OR ").count(), 7, "{long}");
    }
}
