"""How short texts in a legacy encoding decode: real Arabic and Persian words (../shared/realdata)
and a few other scripts, joined into texts of 1 to 10 words, encoded, and decoded by
corpuspack's decode(); prints, per script and length, the share decoded right, decoded wrong
(published mojibake) and rejected: with no knowledge of the dump (windows-1256 first), and in a dump
whose other documents are in that script (its code page first, as document/legacy.py infers it).

    python benchmarks/short_legacy_bench.py

and how many real articles written as UTF-16/32 without a byte-order mark are recognised.
"""
from __future__ import annotations

import collections
import random
from pathlib import Path

from corpuspack.builder.document.decode import Rejected, decode
from corpuspack.builder.document.legacy import encodings_for

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "realdata"
SCRIPT = {"arabic": "Arabic", "persian": "Arabic", "hebrew": "Hebrew", "russian": "Cyrillic", "greek": "Greek",
          "french": "Latin"}
OTHERS = {  # (encoding, words): scripts a preference for windows-1256 must not turn into Arabic mojibake
    "hebrew cp1255": ("cp1255", "שלום עולם זה טקסט קצר בעברית על החדשות היום בבוקר ממשלה בחירות".split()),
    "russian cp1251": ("cp1251", "привет мир это короткий текст на русском языке о новостях сегодня утром".split()),
    "greek cp1253": ("cp1253", "γεια σου κόσμε αυτό είναι ένα σύντομο κείμενο στα ελληνικά".split()),
    "french cp1252": ("cp1252", "été café première élève réunion année économie société déjà très".split()),
}


def words(folder: str, limit: int = 200) -> list[str]:
    out = []
    for path in sorted((SHARED / folder).glob("*.txt"))[:limit]:
        for w in path.read_text(encoding="utf-8").split():
            if all("\u0600" <= c <= "\u06ff" for c in w):
                try:
                    w.encode("cp1256")
                except UnicodeEncodeError:
                    continue
                out.append(w)
    return out


def main() -> None:
    sets = {"arabic cp1256": ("cp1256", words("ant_multisource")), "persian cp1256": ("cp1256", words("farsnews")),
            **OTHERS}
    print(f"{'':<22}{'no knowledge of the dump':^26}{'in a dump of its script':^26}")
    print(f"{'text':<16}{'words':>6}" + f"{'right':>8}{'wrong':>8}{'rejected':>10}" * 2)
    for label, (encoding, pool) in sets.items():
        for n in (1, 2, 3, 4, 6, 10):
            line = f"{label:<16}{n:>6}"
            for prefer in (None, encodings_for(SCRIPT[label.split()[0]])):
                rng, c = random.Random(n), collections.Counter()
                for _ in range(500):
                    text = " ".join(rng.choice(pool) for _ in range(n))
                    try:
                        got = decode(text.encode(encoding)) if prefer is None else decode(text.encode(encoding), prefer=prefer)
                        c["right" if got.text == text else "wrong"] += 1
                    except Rejected:
                        c["rejected"] += 1
                line += f"{c['right'] / 5:>7.1f}%{c['wrong'] / 5:>7.1f}%{c['rejected'] / 5:>9.1f}%"
            print(line)


def wide_without_bom() -> None:
    """Every real article encoded as UTF-16/32 without a byte-order mark: the share decoded to its text."""
    paths = sorted((SHARED / "ant_multisource").glob("*.txt")) + sorted((SHARED / "farsnews").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    for encoding in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        right = 0
        for text in texts:
            try:
                right += decode(text.encode(encoding)).text == text
            except Rejected:
                pass
        print(f"{encoding} without a BOM: {right}/{len(texts)} real articles decoded to their text")


if __name__ == "__main__":
    main()
    wide_without_bom()
