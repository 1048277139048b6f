//! The scoring rules, VADER style: each sentiment word's valence is adjusted by
//! capitals, elongation, boosters and negation, weighted around "mais"/"but",
//! summed with an exclamation bonus and squashed into [-1, 1].

use crate::lexicon::WordLexicon;
use crate::tokenize::{Kind, Token};
use crate::words::{
    LangWords, Role, EN_LIKE_SUBJECTS, FR_BARE_NE_VERBS, FR_IRONY_WINKS, FR_POST_VERBAL,
};
use crate::Lang;

/// Added to a word written in capitals when the rest of the post is not (VADER).
const C_INCR: f32 = 0.733;
/// Added to a sentiment word when the whole post is shouted in capitals.
const SHOUT_INCR: f32 = 0.4;
/// Added to an elongated sentiment word ("nuuuul", "sooo good").
const ELONG_INCR: f32 = 0.4;
/// Multiplies a negated valence (VADER).
const N_SCALAR: f32 = -0.74;
/// Multiplies a negated *negative* valence: "pas de problème", "not terrible",
/// "il n'y a pas de destructions" deny a complaint rather than praise, so they
/// end near neutral instead of flipping to VADER's strong positive. (Praising
/// double negatives such as "pas mal" and "not bad" are idioms.)
const N_SCALAR_NEGATIVE: f32 = -0.2;
/// Subtracted from each positive English valence (see `score`).
const EN_POSITIVE_DISCOUNT: f32 = 0.7;
/// Booster effect by distance (1, 2, 3 words before).
const BOOST_DECAY: [f32; 3] = [1.0, 0.95, 0.9];
/// Weights before and after a contrast word (VADER's "but").
const BEFORE_CONTRAST: f32 = 0.5;
const AFTER_CONTRAST: f32 = 1.5;
/// Per "!" (at most 4) and for repeated "?" (VADER).
const EXCL_INCR: f32 = 0.292;
/// Normalisation constant of the compound score (VADER).
const ALPHA: f32 = 15.0;
/// How far a negator reaches forward.
const NEG_SCOPE: usize = 3;
/// How far "ne" looks for its complement ("pas", "plus", "jamais"…).
const NE_REACH: usize = 6;

/// What the rules found in a post.
#[derive(Debug)]
pub(crate) struct Scored {
    /// Compound score in [-1, 1].
    pub compound: f32,
    /// Per token: inside a negation scope.
    pub negated: Vec<bool>,
    /// Per token: final valence after all rules.
    pub valences: Vec<f32>,
}

fn sign(v: f32) -> f32 {
    if v < 0.0 {
        -1.0
    } else {
        1.0
    }
}

/// Squashes a valence sum into [-1, 1] (VADER's normalisation).
pub(crate) fn normalize(sum: f32) -> f32 {
    (sum / (sum * sum + ALPHA).sqrt()).clamp(-1.0, 1.0)
}

/// Marks idioms: sets the head's valence and takes the roles of all their words.
fn apply_idioms(
    tokens: &[Token],
    words: &LangWords,
    roles: &mut [Option<Role>],
    base: &mut [f32],
    fixed: &mut [bool],
) {
    let n = tokens.len();
    let mut i = 0;
    'outer: while i < n {
        if tokens[i].is_word() {
            if let Some(list) = words.idioms.get(tokens[i].key()) {
                for idiom in list {
                    let len = idiom.words.len();
                    let hit = i + len <= n
                        && idiom
                            .words
                            .iter()
                            .zip(&tokens[i..i + len])
                            .all(|(w, t)| t.is_word() && t.key() == *w);
                    if hit {
                        base[i] = idiom.valence;
                        for k in i..i + len {
                            fixed[k] = true;
                            roles[k] = None;
                        }
                        i += len;
                        continue 'outer;
                    }
                }
            }
        }
        i += 1;
    }
}

/// Computes which tokens fall inside a negation.
fn negation_scopes(
    tokens: &[Token],
    roles: &[Option<Role>],
    base: &[f32],
    lang: Lang,
) -> Vec<bool> {
    let n = tokens.len();
    let boundary =
        |j: usize| matches!(tokens[j].kind, Kind::Punct(_)) || roles[j] == Some(Role::Contrast);
    let mut negated = vec![false; n];
    let mut consumed = vec![false; n];
    let forward = |from: usize, negated: &mut [bool]| {
        let end = (from + 1 + NEG_SCOPE).min(n);
        for (k, neg) in negated.iter_mut().enumerate().take(end).skip(from + 1) {
            if boundary(k) {
                break;
            }
            *neg = true;
        }
    };
    // French "ne … pas/plus/jamais/rien": everything between, and what follows.
    for i in 0..n {
        if roles[i] != Some(Role::Ne) {
            continue;
        }
        let mut complete = false;
        for j in i + 1..(i + 1 + NE_REACH).min(n) {
            if boundary(j) {
                break;
            }
            if matches!(roles[j], Some(Role::Negator | Role::NeComplement)) {
                negated[i + 1..j].iter_mut().for_each(|x| *x = true);
                forward(j, &mut negated);
                consumed[j] = true;
                complete = true;
                break;
            }
        }
        // Written French drops "pas" after a few verbs: "ne pourra respecter"
        // (but "ne peut … que" is restrictive: "can only").
        let restrictive = (i + 1..(i + 1 + NE_REACH).min(n)).any(|k| tokens[k].key() == "que");
        if !complete
            && !restrictive
            && i + 1 < n
            && FR_BARE_NE_VERBS
                .iter()
                .any(|p| tokens[i + 1].key().starts_with(p))
        {
            forward(i + 1, &mut negated);
        }
    }
    for i in 0..n {
        if roles[i] != Some(Role::Negator) || consumed[i] {
            continue;
        }
        forward(i, &mut negated);
        // Spoken French drops "ne" and puts "pas" after the verb: "j'adore pas".
        if lang == Lang::Fr && i > 0 && FR_POST_VERBAL.contains(&tokens[i].key()) {
            let ne_before = (i.saturating_sub(4)..i).any(|k| roles[k] == Some(Role::Ne));
            let prev_is_sentiment =
                tokens[i - 1].is_word() && base[i - 1] != 0.0 && roles[i - 1].is_none();
            let next_is_sentiment = i + 1 < n && !boundary(i + 1) && base[i + 1] != 0.0;
            if !ne_before && prev_is_sentiment && !next_is_sentiment {
                negated[i - 1] = true;
            }
        }
    }
    negated
}

/// "lutte contre la pollution": the negative words an "against" word governs are
/// reversed (their base valence turns positive), and the "against" word itself then carries nothing.
fn against_scopes(tokens: &[Token], roles: &[Option<Role>], base: &mut [f32]) {
    let n = tokens.len();
    for i in 0..n {
        if roles[i] != Some(Role::Against) {
            continue;
        }
        let mut governs = false;
        for k in i + 1..(i + 1 + NEG_SCOPE).min(n) {
            if !tokens[k].is_word() || roles[k] == Some(Role::Contrast) {
                break;
            }
            if base[k] < 0.0 && roles[k].is_none() {
                base[k] *= N_SCALAR;
                governs = true;
            }
        }
        if governs {
            base[i] = 0.0;
        }
    }
}

/// Scores tokens of one language.
pub(crate) fn score(tokens: &[Token], lex: &WordLexicon, words: &LangWords, lang: Lang) -> Scored {
    let n = tokens.len();
    let mut roles: Vec<Option<Role>> = tokens
        .iter()
        .map(|t| {
            if t.is_word() && !t.hashtag {
                words.role(t.key())
            } else {
                None
            }
        })
        .collect();
    let mut base = vec![0.0f32; n];
    let mut fixed = vec![false; n];
    apply_idioms(tokens, words, &mut roles, &mut base, &mut fixed);

    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            // A French wink marks irony or teasing more often than joy.
            Kind::Emo(_) if lang == Lang::Fr && FR_IRONY_WINKS.contains(&t.lower.as_str()) => {}
            Kind::Emo(v) => base[i] = v,
            Kind::Word if !fixed[i] => {
                base[i] = lex.get(&t.lower, t.folded(), t.elongated).unwrap_or(0.0);
            }
            _ => {}
        }
    }
    // "like" is mostly a preposition ("looks like rain"); it is a sentiment verb
    // only after a subject or an auxiliary ("I like", "would like").
    if lang == Lang::En {
        for i in 0..n {
            if tokens[i].key() == "like" && !fixed[i] {
                let verb = i > 0 && EN_LIKE_SUBJECTS.contains(&tokens[i - 1].key());
                if !verb {
                    base[i] = 0.0;
                }
            }
        }
    }
    // A function word that is also a sentiment word ("super", "no") only counts on
    // its own when no sentiment word follows it.
    for i in 0..n {
        if roles[i].is_some() && base[i] != 0.0 {
            let followed = (i + 1..(i + 3).min(n))
                .take_while(|&k| !matches!(tokens[k].kind, Kind::Punct(_)))
                .any(|k| base[k] != 0.0);
            if followed {
                base[i] = 0.0;
            }
        }
    }

    let negated = negation_scopes(tokens, &roles, &base, lang);
    against_scopes(tokens, &roles, &mut base);

    let word_count = tokens
        .iter()
        .filter(|t| t.is_word() && t.lower.chars().any(char::is_alphabetic))
        .count();
    let caps_count = tokens.iter().filter(|t| t.is_word() && t.caps).count();
    let cap_diff = caps_count > 0 && caps_count < word_count;
    let shouting = word_count >= 3 && caps_count * 5 >= word_count * 4;

    let mut valences = vec![0.0f32; n];
    for i in 0..n {
        let mut v = base[i];
        if v == 0.0 {
            continue;
        }
        let t = &tokens[i];
        if t.is_word() {
            let s = sign(v);
            if t.caps && cap_diff {
                v += s * C_INCR;
            } else if t.caps && shouting {
                v += s * SHOUT_INCR;
            }
            if t.elongated {
                v += s * ELONG_INCR;
            }
            for (d, decay) in BOOST_DECAY.iter().enumerate() {
                let Some(j) = i.checked_sub(d + 1) else { break };
                if matches!(tokens[j].kind, Kind::Punct(_)) {
                    break;
                }
                if let Some(Role::Booster(b)) = roles[j] {
                    let mut scalar = b * decay;
                    if tokens[j].caps && cap_diff {
                        scalar += sign(b) * C_INCR;
                    }
                    v += s * scalar;
                }
            }
            if negated[i] {
                v *= if v < 0.0 { N_SCALAR_NEGATIVE } else { N_SCALAR };
            }
        }
        valences[i] = v;
    }

    if let Some(c) = roles.iter().position(|r| *r == Some(Role::Contrast)) {
        for (i, v) in valences.iter_mut().enumerate() {
            if i < c {
                *v *= BEFORE_CONTRAST;
            } else if i > c {
                *v *= AFTER_CONTRAST;
            }
        }
    }
    // English calibration: VADER scores many everyday words mildly positive
    // ("like", "well", "free", "fun"), so neutral English posts drift positive.
    // Each positive valence loses a fixed amount (floored at 0), which keeps one
    // decision rule (`Thresholds::DEFAULT`) for both languages.
    if lang == Lang::En {
        for v in valences.iter_mut().filter(|v| **v > 0.0) {
            *v = (*v - EN_POSITIVE_DISCOUNT).max(0.0);
        }
    }

    let mut sum: f32 = valences.iter().sum();
    let excl = tokens
        .iter()
        .filter(|t| t.kind == Kind::Punct('!'))
        .count()
        .min(4);
    let quest = tokens.iter().filter(|t| t.kind == Kind::Punct('?')).count();
    let mut emphasis = excl as f32 * EXCL_INCR;
    if quest > 1 {
        emphasis += if quest <= 3 {
            quest as f32 * 0.18
        } else {
            0.96
        };
    }
    if sum > 0.0 {
        sum += emphasis;
    } else if sum < 0.0 {
        sum -= emphasis;
    }
    Scored {
        compound: normalize(sum),
        negated,
        valences,
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
