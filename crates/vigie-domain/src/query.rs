//! The watch query language.
//!
//! ```text
//! query   := or
//! or      := and ( "OR" and )*
//! and     := unary ( ["AND"] unary )*        juxtaposition means AND
//! unary   := "NOT" unary | "-" primary | primary
//! primary := "(" or ")" | "\"" phrase "\"" | word | word"*"
//! ```
//! Operators are upper case (`AND`, `OR`, `NOT`), so the French "or" / "et" stay words.
//! Matching is case- and accent-insensitive and drops French elisions (see [`crate::text`]).

use crate::text::{tokens, MatchText};
use serde::Serialize;
use std::fmt;

/// The same query for the full-text index (`Query::fts5`).
mod fts;

/// A parsed, validated watch query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    root: Node,
    source: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    /// One or more folded tokens that must appear consecutively (a word with an inner
    /// apostrophe or hyphen becomes a short phrase).
    Phrase(Vec<String>),
    Prefix(String),
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
}

/// A query that could not be parsed: where (1-based character column) and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("query error at position {position}: {message}")]
pub struct QueryError {
    pub position: usize,
    /// What was wrong, in English (the CLI's words).
    pub message: String,
    /// The same as data, for a screen to word in its own language.
    pub problem: QueryProblem,
}

/// What was wrong with a query. `found` is what stood where a term was expected: a word
/// in quotes, an operator as typed (`AND`, `ET`, `'('` …), or `None` for the end of the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QueryProblem {
    Empty,
    UnclosedQuote,
    StarWithoutWord,
    ExpectedTerm {
        /// The operator the term should follow, as typed (`AND` or `ET`, `OU`, `SAUF`,
        /// `'-'` …), if any.
        after: Option<String>,
        found: Option<String>,
    },
    EmptyParentheses,
    UnclosedParenthesis {
        open_at: usize,
        found: Option<String>,
    },
    UnexpectedClose,
    NoLetters {
        text: String,
    },
    PrefixOfPhrase {
        text: String,
    },
    OnlyNegative,
    /// Parentheses or NOTs nested deeper than [`MAX_DEPTH`] (the matcher recurses).
    TooDeep {
        max: usize,
    },
}

/// How deep parentheses and NOTs may nest: far beyond what anyone writes, well within the
/// stack of the threads that match and parse.
pub const MAX_DEPTH: usize = 64;

impl QueryProblem {
    /// The problem in English words.
    pub fn message(&self) -> String {
        let found = |f: &Option<String>| f.clone().unwrap_or_else(|| "the end of the query".into());
        match self {
            QueryProblem::Empty => "the query is empty: expected at least one word".into(),
            QueryProblem::UnclosedQuote => {
                "this quote is never closed: expected its closing quote (\" or »)".into()
            }
            QueryProblem::StarWithoutWord => "expected a word before '*'".into(),
            QueryProblem::ExpectedTerm {
                after: Some(op),
                found: f,
            } => {
                format!(
                    "expected a word, a \"phrase\" or '(' after {op}, found {}",
                    found(f)
                )
            }
            QueryProblem::ExpectedTerm {
                after: None,
                found: f,
            } => {
                format!("expected a word, a \"phrase\" or '(', found {}", found(f))
            }
            QueryProblem::EmptyParentheses => {
                "empty parentheses: expected a word, a \"phrase\" or '(' inside".into()
            }
            QueryProblem::UnclosedParenthesis { open_at, found: f } => {
                format!(
                    "expected ')' to close the '(' at position {open_at}, found {}",
                    found(f)
                )
            }
            QueryProblem::UnexpectedClose => "unexpected ')': there is no '(' to close".into(),
            QueryProblem::NoLetters { text } => {
                format!("\"{text}\" has no letters or digits to search for")
            }
            QueryProblem::PrefixOfPhrase { text } => {
                format!("'*' works on a single word, not \"{text}\"")
            }
            QueryProblem::OnlyNegative => {
                "a query needs at least one word that must appear (it cannot be only NOT terms)"
                    .into()
            }
            QueryProblem::TooDeep { max } => {
                format!("parentheses and NOTs are nested more than {max} deep here")
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Prefix(String),
    Phrase(String),
    And,
    Or,
    Not,
    Minus,
    Open,
    Close,
}

#[derive(Debug, Clone)]
struct Lexed {
    tok: Tok,
    pos: usize, // 1-based character column
    /// An operator as the user typed it (`ET` or `AND`), for the error messages.
    typed: &'static str,
}

fn err(position: usize, problem: QueryProblem) -> QueryError {
    QueryError {
        position,
        message: problem.message(),
        problem,
    }
}

fn lex(input: &str) -> Result<Vec<Lexed>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '(' => {
                out.push(Lexed {
                    tok: Tok::Open,
                    pos,
                    typed: "'('",
                });
                i += 1;
            }
            ')' => {
                out.push(Lexed {
                    tok: Tok::Close,
                    pos,
                    typed: "')'",
                });
                i += 1;
            }
            '"' | '“' | '”' | '«' | '»' => {
                let close = |d: char| matches!(d, '"' | '”' | '“' | '»' | '«');
                let start = i + 1;
                let mut j = start;
                while j < chars.len() && !close(chars[j]) {
                    j += 1;
                }
                if j >= chars.len() {
                    return Err(err(pos, QueryProblem::UnclosedQuote));
                }
                let text: String = chars[start..j].iter().collect();
                out.push(Lexed {
                    tok: Tok::Phrase(text),
                    pos,
                    typed: "",
                });
                i = j + 1;
            }
            // A '-' starting a term negates it ("-bourse"); inside a word it is part of it ("e-mail").
            '-' if chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) => {
                out.push(Lexed {
                    tok: Tok::Minus,
                    pos,
                    typed: "'-'",
                });
                i += 1;
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | '"')
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let (tok, typed) = match word.as_str() {
                    "AND" => (Tok::And, "AND"),
                    "ET" => (Tok::And, "ET"),
                    "OR" => (Tok::Or, "OR"),
                    "OU" => (Tok::Or, "OU"),
                    "NOT" => (Tok::Not, "NOT"),
                    "SAUF" => (Tok::Not, "SAUF"),
                    w if w.len() > 1 && w.ends_with('*') => {
                        (Tok::Prefix(w[..w.len() - 1].to_string()), "")
                    }
                    "*" => return Err(err(pos, QueryProblem::StarWithoutWord)),
                    _ => (Tok::Word(word), ""),
                };
                out.push(Lexed { tok, pos, typed });
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Lexed>,
    at: usize,
    end: usize,
    /// Open parentheses and NOTs around the cursor.
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|l| &l.tok)
    }
    fn pos(&self) -> usize {
        self.toks.get(self.at).map_or(self.end, |l| l.pos)
    }
    /// What stands at the cursor, as the error messages name it (`None`: the end).
    fn describe(&self) -> Option<String> {
        let lexed = self.toks.get(self.at)?;
        Some(match &lexed.tok {
            Tok::Word(w) | Tok::Prefix(w) | Tok::Phrase(w) => format!("\"{w}\""),
            _ => lexed.typed.into(),
        })
    }

    /// One level deeper, within [`MAX_DEPTH`].
    fn deeper(&mut self) -> Result<(), QueryError> {
        if self.depth >= MAX_DEPTH {
            let at = self.toks[self.at - 1].pos;
            return Err(err(at, QueryProblem::TooDeep { max: MAX_DEPTH }));
        }
        self.depth += 1;
        Ok(())
    }

    /// The operator just read, as typed.
    fn typed_before(&self) -> &'static str {
        self.toks[self.at - 1].typed
    }

    fn or(&mut self) -> Result<Node, QueryError> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            let op = self.typed_before();
            parts.push(self.and().map_err(|e| self.after(op, e))?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Node::Or(parts)
        })
    }

    /// A missing term right after an operator is reported as missing after it.
    fn after(&self, op: &str, e: QueryError) -> QueryError {
        match e.problem {
            QueryProblem::ExpectedTerm { after: None, .. } => err(
                e.position,
                QueryProblem::ExpectedTerm {
                    after: Some(op.into()),
                    found: self.describe(),
                },
            ),
            _ => e,
        }
    }

    fn and(&mut self) -> Result<Node, QueryError> {
        let mut parts = vec![self.unary()?];
        loop {
            match self.peek() {
                Some(Tok::And) => {
                    self.at += 1;
                    let op = self.typed_before();
                    parts.push(self.unary().map_err(|e| self.after(op, e))?);
                }
                Some(Tok::Or | Tok::Close) | None => break,
                Some(_) => parts.push(self.unary()?),
            }
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Node::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Node, QueryError> {
        match self.peek() {
            Some(Tok::Not) => {
                self.at += 1;
                let op = self.typed_before();
                self.deeper()?;
                let inner = self.unary().map_err(|e| self.after(op, e));
                self.depth -= 1;
                Ok(Node::Not(Box::new(inner?)))
            }
            Some(Tok::Minus) => {
                self.at += 1;
                let op = self.typed_before();
                let inner = self.primary().map_err(|e| self.after(op, e))?;
                Ok(Node::Not(Box::new(inner)))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Node, QueryError> {
        let pos = self.pos();
        let Some(tok) = self.peek().cloned() else {
            return Err(err(
                pos,
                QueryProblem::ExpectedTerm {
                    after: None,
                    found: None,
                },
            ));
        };
        match tok {
            Tok::Open => {
                self.at += 1;
                if self.peek() == Some(&Tok::Close) {
                    return Err(err(self.pos(), QueryProblem::EmptyParentheses));
                }
                self.deeper()?;
                let inner = self.or();
                self.depth -= 1;
                let inner = inner?;
                if self.peek() != Some(&Tok::Close) {
                    return Err(err(
                        self.pos(),
                        QueryProblem::UnclosedParenthesis {
                            open_at: pos,
                            found: self.describe(),
                        },
                    ));
                }
                self.at += 1;
                Ok(inner)
            }
            Tok::Word(w) | Tok::Phrase(w) => {
                self.at += 1;
                let words = tokens(&w);
                if words.is_empty() {
                    return Err(err(pos, QueryProblem::NoLetters { text: w }));
                }
                Ok(Node::Phrase(words))
            }
            Tok::Prefix(w) => {
                self.at += 1;
                let mut words = tokens(&w);
                if words.len() != 1 {
                    return Err(err(pos, QueryProblem::PrefixOfPhrase { text: w }));
                }
                Ok(Node::Prefix(words.remove(0)))
            }
            // Inside parentheses a ')' where a term should be is a missing term ("(b OR )").
            Tok::Close if self.depth > 0 => Err(err(
                pos,
                QueryProblem::ExpectedTerm {
                    after: None,
                    found: self.describe(),
                },
            )),
            Tok::Close => Err(err(pos, QueryProblem::UnexpectedClose)),
            Tok::And | Tok::Or | Tok::Not | Tok::Minus => Err(err(
                pos,
                QueryProblem::ExpectedTerm {
                    after: None,
                    found: self.describe(),
                },
            )),
        }
    }
}

/// Whether a node can match without any word being present (e.g. `NOT x`).
fn has_positive(node: &Node) -> bool {
    match node {
        Node::Phrase(_) | Node::Prefix(_) => true,
        Node::Not(inner) => matches!(&**inner, Node::Not(x) if has_positive(x)),
        Node::And(parts) => parts.iter().any(has_positive),
        Node::Or(parts) => parts.iter().all(has_positive),
    }
}

impl Query {
    pub fn parse(input: &str) -> Result<Query, QueryError> {
        let toks = lex(input)?;
        let end = input.chars().count() + 1;
        if toks.is_empty() {
            return Err(err(1, QueryProblem::Empty));
        }
        let mut p = Parser {
            toks,
            at: 0,
            end,
            depth: 0,
        };
        let root = p.or()?;
        // `or` stops before the end only at a ')' (`and` reads every other token).
        if p.at < p.toks.len() {
            return Err(err(p.pos(), QueryProblem::UnexpectedClose));
        }
        if !has_positive(&root) {
            return Err(err(1, QueryProblem::OnlyNegative));
        }
        Ok(Query {
            root,
            source: input.to_string(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Does the prepared text match? Pure and allocation-free.
    pub fn matches(&self, text: &MatchText) -> bool {
        eval(&self.root, text)
    }

    /// Convenience for one-off checks.
    pub fn matches_str(&self, text: &str) -> bool {
        self.matches(&MatchText::new(text))
    }

    /// The positive terms of the query (for highlighting).
    pub fn terms(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect_terms(&self.root, false, &mut out);
        out
    }
}

fn collect_terms(node: &Node, negated: bool, out: &mut Vec<String>) {
    match node {
        Node::Phrase(w) if !negated => out.push(w.join(" ")),
        Node::Prefix(w) if !negated => out.push(format!("{w}*")),
        Node::Phrase(_) | Node::Prefix(_) => {}
        Node::And(p) | Node::Or(p) => p.iter().for_each(|n| collect_terms(n, negated, out)),
        Node::Not(n) => collect_terms(n, !negated, out),
    }
}

fn eval(node: &Node, text: &MatchText) -> bool {
    match node {
        Node::Phrase(words) => text.has_phrase(words),
        Node::Prefix(p) => text.has_prefix(p),
        Node::And(parts) => parts.iter().all(|n| eval(n, text)),
        Node::Or(parts) => parts.iter().any(|n| eval(n, text)),
        Node::Not(n) => !eval(n, text),
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(q: &str, text: &str) -> bool {
        Query::parse(q)
            .unwrap_or_else(|e| panic!("{q}: {e}"))
            .matches_str(text)
    }

    #[test]
    fn matching_table() {
        let cases: &[(&str, &str, bool)] = &[
            ("danone", "Danone rappelle des yaourts", true),
            ("danone", "Danon rappelle", false),
            ("societe", "La Société Générale", true),
            ("Société", "la societe generale", true),
            ("usine", "L'usine de Rouen ferme", true),
            ("l'usine", "une usine", true),
            ("\"rappel produit\"", "grand rappel produit en cours", true),
            ("\"rappel produit\"", "produit rappel", false),
            ("« rappel produit »", "Rappel Produit !", true),
            ("danone AND rappel", "danone: rappel", true),
            ("danone AND rappel", "danone seul", false),
            ("danone rappel", "rappel chez danone", true),
            ("danone OR evian", "Evian", true),
            ("danone OR evian", "volvic", false),
            ("danone NOT bourse", "danone en bourse", false),
            ("danone -bourse", "danone usine", true),
            ("danone -bourse", "danone bourse", false),
            (
                "(danone OR evian) AND (rappel OR boycott)",
                "#boycott evian",
                true,
            ),
            (
                "(danone OR evian) AND (rappel OR boycott)",
                "evian bon",
                false,
            ),
            ("boycott*", "#BoycottDanone maintenant", true),
            // A camel-case hashtag or handle also matches by its parts.
            ("danone", "#BoycottDanone maintenant", true),
            ("\"boycott danone\"", "#BoycottDanone", true),
            ("danone", "merci @DanoneFR", true),
            ("boycottdanone", "#BoycottDanone", true),
            ("paypal", "#BoycottPayPal", true),
            ("youtube", "merci @YouTubeFR", true),
            (
                "\"boycottdanone maintenant\"",
                "#BoycottDanone maintenant",
                true,
            ),
            ("\"le boycott\"", "le #BoycottDanone", true),
            ("danone", "#boycottdanone", false),
            ("axa", "#TaxationAuto", false),
            ("danone -boycott", "#BoycottDanone", false),
            ("boycott*", "boycotter", true),
            ("boycott*", "le boycot", false),
            ("or", "de l'or en barre", true),
            ("danone ET rappel", "rappel danone", true),
            ("danone OU evian", "evian", true),
            ("e-mail", "envoyez un e-mail", true),
            ("e-mail", "email", false),
            ("NOT NOT danone", "danone", true),
            ("danone -\"danone bourse\"", "danone bourse", false),
        ];
        for (q, text, want) in cases {
            assert_eq!(m(q, text), *want, "query {q:?} on {text:?}");
        }
    }

    #[test]
    fn precedence_or_binds_looser_than_and() {
        // a b OR c == (a AND b) OR c
        assert!(m("a b OR c", "c"));
        assert!(!m("a b OR c", "a"));
        assert!(m("a b OR c", "b a"));
    }

    #[test]
    fn errors_name_position_and_expectation() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 1, "empty"),
            ("danone AND", 11, "after AND"),
            ("danone OR", 10, "after OR"),
            ("(danone", 8, "expected ')' to close the '(' at position 1"),
            ("danone)", 7, "unexpected ')'"),
            ("\"rappel produit", 1, "never closed"),
            ("()", 2, "empty parentheses"),
            ("NOT danone", 1, "at least one word"),
            ("-danone", 1, "at least one word"),
            ("AND danone", 1, "found AND"),
            ("danone OR OR evian", 11, "after OR"),
            ("*", 1, "before '*'"),
            ("!!!", 1, "no letters"),
            // A missing term before a ')' is missing, not a ')' too many.
            ("a AND (b OR )", 13, "after OR, found ')'"),
            ("« rappel", 1, "(\" or »)"),
        ];
        for (q, pos, needle) in cases {
            let e = Query::parse(q).expect_err(q);
            assert_eq!(e.position, *pos, "position for {q:?}: {e}");
            assert!(
                e.message.contains(needle),
                "message for {q:?} was {:?}",
                e.message
            );
        }
    }

    #[test]
    fn nesting_is_bounded_instead_of_overflowing_the_stack() {
        let deep = |n: usize| format!("{}danone{}", "(".repeat(n), ")".repeat(n));
        assert!(Query::parse(&deep(MAX_DEPTH))
            .unwrap()
            .matches_str("Danone"));
        let e = Query::parse(&deep(MAX_DEPTH + 1)).unwrap_err();
        assert_eq!(
            (e.position, e.problem),
            (MAX_DEPTH + 1, QueryProblem::TooDeep { max: MAX_DEPTH })
        );
        // What crashed the CLI: thousands of levels, of parentheses or of NOTs.
        let e = Query::parse(&deep(10_000)).unwrap_err();
        assert_eq!(e.problem, QueryProblem::TooDeep { max: MAX_DEPTH });
        let e = Query::parse(&format!("{}danone", "NOT ".repeat(10_000))).unwrap_err();
        assert_eq!(e.problem, QueryProblem::TooDeep { max: MAX_DEPTH });
    }

    #[test]
    fn errors_carry_what_was_wrong_as_data_and_its_english_words() {
        let cases: Vec<(&str, QueryProblem)> = vec![
            ("", QueryProblem::Empty),
            ("\"rappel", QueryProblem::UnclosedQuote),
            ("*", QueryProblem::StarWithoutWord),
            (
                "danone AND",
                QueryProblem::ExpectedTerm {
                    after: Some("AND".into()),
                    found: None,
                },
            ),
            (
                "AND danone",
                QueryProblem::ExpectedTerm {
                    after: None,
                    found: Some("AND".into()),
                },
            ),
            (
                "danone AND NOT OR evian",
                QueryProblem::ExpectedTerm {
                    after: Some("NOT".into()),
                    found: Some("OR".into()),
                },
            ),
            ("()", QueryProblem::EmptyParentheses),
            (
                "(danone evian",
                QueryProblem::UnclosedParenthesis {
                    open_at: 1,
                    found: None,
                },
            ),
            ("danone)", QueryProblem::UnexpectedClose),
            ("!!!", QueryProblem::NoLetters { text: "!!!".into() }),
            (
                "e-mail*",
                QueryProblem::PrefixOfPhrase {
                    text: "e-mail".into(),
                },
            ),
            ("NOT danone", QueryProblem::OnlyNegative),
            // Operators are named as typed: French ones in French.
            (
                "danone OU",
                QueryProblem::ExpectedTerm {
                    after: Some("OU".into()),
                    found: None,
                },
            ),
            (
                "danone ET SAUF ET evian",
                QueryProblem::ExpectedTerm {
                    after: Some("SAUF".into()),
                    found: Some("ET".into()),
                },
            ),
        ];
        for (q, problem) in cases {
            let e = Query::parse(q).expect_err(q);
            assert_eq!(e.problem, problem, "{q:?}");
            assert_eq!(e.message, problem.message(), "{q:?}");
        }
        let json = serde_json::to_value(Query::parse("danone OR").unwrap_err()).unwrap();
        assert_eq!(
            json["problem"],
            serde_json::json!({"kind": "expected_term", "after": "OR", "found": null})
        );
    }
}
