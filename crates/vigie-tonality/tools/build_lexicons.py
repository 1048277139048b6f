#!/usr/bin/env python3
"""Regenerate the compact lexicons embedded in vigie-tonality.

Usage: python3 tools/build_lexicons.py [DOWNLOAD_DIR]

Downloads (with `pip download --no-deps`) the three licensed sources unless
DOWNLOAD_DIR already holds them, then writes, next to this script's crate:

  lexicons/vader_en.tsv   word<TAB>valence   VADER 3.3.2 vader_lexicon.txt (MIT)
  lexicons/vader_fr.tsv   word<TAB>valence   vaderSentiment-fr 1.3.4 fr_lexicon.txt (MIT)
  lexicons/pattern_fr.tsv word<TAB>polarity  Pattern fr-sentiment.xml (PDDL), as shipped
                                            in textblob-fr 0.2.0; polarity and subjectivity
                                            averaged over the senses of a form, range [-1, 1];
                                            forms with subjectivity < 0.35 left out
  lexicons/emoji.tsv      emoji<TAB>valence  VADER emoji_utf8_lexicon.txt (MIT): each emoji's
                                            English description scored with the VADER
                                            lexicon (sum of word valences, clamped to ±3.5)

Our own hand-written entries live in lexicons/vigie_*.tsv and are not touched.
Only the standard library is used.
"""
import hashlib
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "lexicons")

# Pattern adjectives less subjective than this are left out.
MIN_SUBJECTIVITY = 0.35

PACKAGES = {
    "vader": ("vaderSentiment==3.3.2", "vaderSentiment-3.3.2-py2.py3-none-any.whl"),
    "vader_fr": ("vaderSentiment-fr==1.3.4", "vaderSentiment_fr-1.3.4.tar.gz"),
    # PyPI's "Pattern" name only serves a placeholder; textblob-fr ships Pattern's
    # fr-sentiment.xml unchanged (its header says PDDL).
    "pattern_fr": ("textblob-fr==0.2.0", "textblob_fr-0.2.0-py2.py3-none-any.whl"),
}

SHA256 = {
    "vaderSentiment-3.3.2-py2.py3-none-any.whl": "3bf1d243b98b1afad575b9f22bc2cb1e212b94ff89ca74f8a23a588d024ea311",
    "vaderSentiment_fr-1.3.4.tar.gz": "615af9a3eff0717a63941073801668e384610a2225622dc1f8d3ff0c0958cd34",
    "textblob_fr-0.2.0-py2.py3-none-any.whl": "34a24bac930c12bd53d81df4a663143b13af884d836d8e061e3c77fdf3cd4461",
}


def fetch(dl):
    os.makedirs(dl, exist_ok=True)
    for spec, fname in PACKAGES.values():
        if not os.path.exists(os.path.join(dl, fname)):
            subprocess.check_call(
                [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", dl, spec]
            )
    for fname, want in SHA256.items():
        with open(os.path.join(dl, fname), "rb") as f:
            got = hashlib.sha256(f.read()).hexdigest()
        if got != want:
            sys.exit(f"{fname}: sha256 {got}, expected {want}")


def read_zip(path, member):
    with zipfile.ZipFile(path) as z:
        return z.read(member).decode("utf-8")


def read_tar(path, member):
    with tarfile.open(path) as t:
        return t.extractfile(member).read().decode("utf-8")


def fmt(v):
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return s if s not in ("-0", "") else "0"


def write(name, rows, header):
    path = os.path.join(OUT, name)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# {header}\n")
        for k in sorted(rows):
            if "\t" in k or "\n" in k:
                continue
            f.write(f"{k}\t{fmt(rows[k])}\n")
    print(f"{path}: {len(rows)} entries")


def main():
    dl = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="vigie-lex-")
    fetch(dl)

    vader_txt = read_zip(
        os.path.join(dl, PACKAGES["vader"][1]), "vaderSentiment/vader_lexicon.txt"
    )
    vader = {}
    for line in vader_txt.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0]:
            vader[parts[0].strip()] = float(parts[1])
    write("vader_en.tsv", vader, "VADER 3.3.2 vader_lexicon.txt (MIT, C.J. Hutto); word, mean valence")

    fr_txt = read_tar(
        os.path.join(dl, PACKAGES["vader_fr"][1]),
        "vaderSentiment_fr-1.3.4/vaderSentiment_fr/fr_lexicon.txt",
    )
    vfr = {}
    for line in fr_txt.splitlines():
        if "->" not in line:
            continue
        word, val = line.rsplit("->", 1)
        word = word.strip().rstrip(",")
        try:
            vfr[word] = float(val)
        except ValueError:
            continue
    write("vader_fr.tsv", vfr, "vaderSentiment-fr 1.3.4 fr_lexicon.txt (MIT); word, valence")

    xml = read_zip(os.path.join(dl, PACKAGES["pattern_fr"][1]), "textblob_fr/fr-sentiment.xml")
    acc = {}
    for w in ET.fromstring(xml).iter("word"):
        form = w.get("form", "").strip().lower()
        if not form:
            continue
        subj = min(1.0, float(w.get("subjectivity", "0")))
        acc.setdefault(form, []).append((float(w.get("polarity", "0")), subj))
    pat = {}
    for k, senses in acc.items():
        pol = sum(p for p, _ in senses) / len(senses)
        subj = sum(s for _, s in senses) / len(senses)
        # Objective adjectives ("français", "social", "premier") carry no tonality.
        if abs(pol) >= 0.05 and subj >= MIN_SUBJECTIVITY:
            pat[k] = pol
    write("pattern_fr.tsv", pat, "Pattern fr-sentiment.xml 1.1 (PDDL, De Smedt & Daelemans); form, polarity [-1,1]")

    emo_txt = read_zip(
        os.path.join(dl, PACKAGES["vader"][1]), "vaderSentiment/emoji_utf8_lexicon.txt"
    )
    emo = {}
    for line in emo_txt.splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        words = re.findall(r"[a-z']+", parts[1].lower())
        score = sum(vader.get(w, 0.0) for w in words)
        score = max(-3.5, min(3.5, score))
        if score != 0.0:
            emo[parts[0].strip()] = score
    write("emoji.tsv", emo, "VADER 3.3.2 emoji_utf8_lexicon.txt (MIT); emoji, valence of its description")


if __name__ == "__main__":
    main()
