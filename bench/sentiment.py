#!/usr/bin/env python3
"""Scores `chorus sentiment` against VADER's human-rated sentence sets (standard library only).

  bench/sentiment.py DATA_DIR [CHORUS]   DATA_DIR holds *_GroundTruth*.tsv (id, mean rating -4..4, text)
                                         CHORUS is the command to run (default: the Release build)

Per set: Pearson r between the compound score and the mean human rating; 3-class accuracy
(rating > 0.05 positive, < -0.05 negative, else neutral; compound >= 0.05 positive, <= -0.05
negative, else neutral); sign agreement on the sentences raters found positive or negative.
"""
import glob, math, os, subprocess, sys, tempfile

def cls(x, t=0.05):
    return 1 if x >= t else -1 if x <= -t else 0

def main():
    data = sys.argv[1]
    chorus = sys.argv[2].split() if len(sys.argv) > 2 else ["src/Chorus/bin/Release/net10.0/Chorus"]
    print("| set | sentences | Pearson r | 3-class accuracy | sign agreement (polar sentences) |")
    print("|---|---:|---:|---:|---:|")
    totals = [0, 0, 0, 0, 0]
    for path in sorted(glob.glob(os.path.join(data, "*_GroundTruth*.tsv"))):
        gold = {}
        with tempfile.TemporaryDirectory() as tmp:
            texts, scores = os.path.join(tmp, "in.tsv"), os.path.join(tmp, "out.tsv")
            with open(path, encoding="utf-8") as f, open(texts, "w", encoding="utf-8") as out:
                for line in f:
                    ident, rating, text = line.rstrip("\r\n").split("\t", 2)
                    gold[ident] = float(rating)
                    out.write(f"{ident}\t{text}\n")
            subprocess.run(chorus + ["sentiment", "--in", texts, "--out", scores], check=True, stderr=subprocess.DEVNULL)
            with open(scores, encoding="utf-8") as f:
                pred = {i: float(s) for i, s in (l.rstrip("\n").split("\t") for l in f)}
        xs = [pred[i] for i in gold]; ys = [gold[i] for i in gold]
        n = len(xs); mx = sum(xs) / n; my = sum(ys) / n
        r = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / math.sqrt(sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys))
        three = sum(cls(x) == (1 if y > 0.05 else -1 if y < -0.05 else 0) for x, y in zip(xs, ys))
        polar = [(x, y) for x, y in zip(xs, ys) if abs(y) > 0.05]
        agree = sum((x > 0) == (y > 0) and x != 0 for x, y in polar)
        name = os.path.basename(path).split("_GroundTruth")[0]
        print(f"| {name} | {n:,} | {r:.3f} | {100 * three / n:.1f} % | {100 * agree / len(polar):.1f} % |")
        for k, v in enumerate((n, three, len(polar), agree, r * n)): totals[k] += v
    n, three, polar, agree, rn = totals
    print(f"| all | {n:,} | {rn / n:.3f} (mean, weighted by size) | {100 * three / n:.1f} % | {100 * agree / polar:.1f} % |")

if __name__ == "__main__":
    main()
