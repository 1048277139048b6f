//! The anger/outrage flag: calls to boycott, "scandale", "honte", "arnaque", angry
//! emoji, or a shouted (capitals, "!!!") negative post.

use crate::rules::Scored;
use crate::tokenize::{Kind, Token};

/// Outrage words, accent-folded; a trailing `*` matches any ending.
const OUTRAGE: &[&str] = &[
    // French
    "boycot*",
    "scandal*",
    "honte",
    "honteu*",
    "arnaqu*",
    "escroc*",
    "escroqu*",
    "inadmissible*",
    "inacceptable*",
    "revoltant*",
    "revoltee*",
    "degueulasse*",
    "degoutant*",
    "ecoeurant*",
    "lamentable*",
    "foutage",
    "voleur*",
    "voleuse*",
    "furieu*",
    "enrage*",
    "indign*",
    "colere",
    "marre",
    "connard*",
    "encule*",
    "salaud*",
    "salopard*",
    "batard*",
    "fdp",
    "ntm",
    "mepris*",
    "pourris",
    "honteusement",
    // English
    "boycott*",
    "scandal*",
    "shame",
    "shameful*",
    "shameless*",
    "disgrac*",
    "disgust*",
    "outrag*",
    "scam",
    "scams",
    "scammer*",
    "scammed",
    "fraud*",
    "ripoff*",
    "thief",
    "thieves",
    "liar*",
    "furious*",
    "angry",
    "pissed",
    "wtf",
    "unacceptable*",
    "pathetic*",
    "bastard*",
    "asshole*",
    "crooks",
    "crook",
];

/// Angry emoji and emoticons.
const ANGRY_EMOJI: &[&str] = &[
    "😡", "🤬", "😠", "👿", "💢", "🖕", "😤", ">:(", ">:-(", ">:[",
];

/// Score under which a shouted or exclaimed post counts as outrage.
const SHOUT_NEG: f32 = -0.3;
/// Outrage words do not count in a clearly positive post ("no shame in winning!").
const OUTRAGE_MAX_SCORE: f32 = 0.3;

fn is_outrage_word(key: &str) -> bool {
    OUTRAGE.iter().any(|w| match w.strip_suffix('*') {
        Some(stem) => key.starts_with(stem),
        None => key == *w,
    })
}

/// Whether a post reads as anger or outrage.
pub(crate) fn is_angry(tokens: &[Token], scored: &Scored) -> bool {
    let c = scored.compound;
    let mut outrage_word = false;
    let mut emoji = false;
    let mut caps_negative = false;
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            Kind::Word => {
                // Outrage words are all negative in the lexicons; a negated one
                // ("pas une arnaque") has turned positive and does not count.
                if scored.valences[i] < 0.0 && !scored.negated[i] && is_outrage_word(t.key()) {
                    outrage_word = true;
                }
                if t.caps && scored.valences[i] <= -1.0 {
                    caps_negative = true;
                }
            }
            Kind::Emo(_) if ANGRY_EMOJI.contains(&t.lower.as_str()) => emoji = true,
            _ => {}
        }
    }
    let words = tokens.iter().filter(|t| t.is_word()).count();
    let caps = tokens.iter().filter(|t| t.is_word() && t.caps).count();
    let shouted = words >= 3 && caps * 2 >= words;
    let excl = tokens.iter().filter(|t| t.kind == Kind::Punct('!')).count();
    ((outrage_word || emoji) && c < OUTRAGE_MAX_SCORE)
        || ((shouted || caps_negative || excl >= 3) && c <= SHOUT_NEG)
}
