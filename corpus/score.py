#!/usr/bin/env python3
"""Score gorleak's single-dump verdicts on the corpus against its ground truth.

usage: corpus/score.py [--gorleak PATH] [--dumps DIR] [--by-rule] [--show-misses] [PATTERN...]

For every dump with an .expect file (corpus/README.md), runs
`gorleak --format json` from the program's own folder (so the source is found
the way a user in their checkout finds it) and counts, per dump form:

  named     leaks with a finding at low or above, at the expected site and count
            (count = goroutines, or the finding's units when the rule has a unit)
  alarms    findings at medium or above on leaking dumps, and how many are right
  healthy   healthy dumps (healthy=1) with any finding at medium or above

This is the measurement behind the closing notes; the assertions live in
tests/test_rules_corpus.cpp and tests/test_rules_libs.cpp.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FORMS = ["debug1", "debug2", "sigquit", "leak1", "leak2", "crash"]
RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
KV = re.compile(r"(?:^| )([a-z_]+)=")


def parse_expect_line(line):
    keys = list(KV.finditer(line))
    out = {}
    for i, m in enumerate(keys):
        end = keys[i + 1].start() if i + 1 < len(keys) else len(line)
        out[m.group(1)] = line[m.end():end]
    return out


def truth_of(expect_path):
    """phase -> {'leaks': [...], 'healthy': bool, 'companions': {site: count}}"""
    phases = collections.defaultdict(lambda: {"leaks": [], "healthy": False, "companions": {}})
    with open(expect_path) as f:
        for line in f:
            kv = parse_expect_line(line.rstrip("\n"))
            t = phases[kv.get("phase", "")]
            if "healthy" in kv:
                t["healthy"] = True
            if "rule" in kv and int(kv.get("count", "0")) > 0:
                t["leaks"].append(kv)
            if kv.get("role") == "companion":
                t["companions"][kv.get("site", "")] = int(kv.get("count", "0"))
    return phases


def run(gorleak, path, cwd, extra=()):
    p = subprocess.run([gorleak, "--format", "json", "--top", "0", *extra, path], cwd=cwd,
                       capture_output=True, text=True)
    if p.returncode not in (0, 1):
        return None, p.stderr.strip()
    return json.loads(p.stdout), None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gorleak", default=os.path.join(HERE, "..", "build", "gorleak"))
    ap.add_argument("--dumps", default=os.path.join(HERE, "dumps"))
    ap.add_argument("--programs", default=os.path.join(HERE, "programs"))
    ap.add_argument("--by-rule", action="store_true", help="also print the per-rule table")
    ap.add_argument("--show-misses", action="store_true", help="print every miss and wrong alarm")
    ap.add_argument("--no-source", action="store_true", help="run gorleak --no-source (a user without the checkout)")
    ap.add_argument("patterns", nargs="*", help="only programs whose name contains one of these")
    a = ap.parse_args()
    gorleak = os.path.abspath(a.gorleak)

    stats = collections.defaultdict(collections.Counter)
    by_rule = collections.defaultdict(collections.Counter)
    # rule -> form -> Counter(right, all, healthy <severity>)
    table = collections.defaultdict(lambda: collections.defaultdict(collections.Counter))
    for name in sorted(os.listdir(a.dumps)):
        if not name.endswith(".expect"):
            continue
        program, version = name[:-len(".expect")].split(".go", 1)
        if a.patterns and not any(p in program for p in a.patterns):
            continue
        if program in ("states", "labels", "spawn-tree"):
            continue  # parser fixtures, no leak ground truth
        src = os.path.join(a.programs, program)
        if not os.path.isdir(src) and "-" in program:
            src = os.path.join(a.programs, program.rsplit("-", 1)[0])
        cwd = src if os.path.isdir(src) else HERE
        for phase, t in truth_of(os.path.join(a.dumps, name)).items():
            for form in FORMS:
                dump = os.path.join(a.dumps, f"{program}.go{version}.{phase + '.' if phase else ''}{form}.txt")
                if not os.path.exists(dump):
                    continue
                report, err = run(gorleak, dump, cwd, ["--no-source"] if a.no_source else [])
                if report is None:
                    stats[form]["errors"] += 1
                    print(f"error: {dump}: {err}", file=sys.stderr)
                    continue
                findings = [f for s in report["snapshots"] for f in s.get("findings", [])]
                s = stats[form]
                if t["healthy"]:
                    for f in findings:
                        if RANK[f["severity"]] >= 1:
                            table[f["rule"]][form]["healthy " + f["severity"]] += 1
                    s["healthy dumps"] += 1
                    loud = [f for f in findings if RANK[f["severity"]] >= 2]
                    if loud:
                        s["healthy alarmed"] += 1
                        for f in loud:
                            by_rule[f["rule"]][f"healthy {form} {f['severity']}"] += 1
                            if a.show_misses:
                                print(f"ALARM {os.path.basename(dump)}: {f['rule']} {f['severity']} "
                                      f"count={f['count']} site={(f['site'] or {}).get('func')} "
                                      f"[{f.get('evidence_level')}] {f.get('evidence_basis')}")
                    continue
                for leak in t["leaks"]:
                    if form == "leak1" and "gc_leak" not in leak:
                        continue
                    if form == "debug1" and leak["rule"] == "nil-channel":
                        continue  # debug=1 prints no state, and the source cannot show a nil channel
                    want = int(leak["count"])
                    total = want + sum(c for site, c in t["companions"].items())
                    s["leaks"] += 1
                    hit = None
                    for f in findings:
                        site = (f.get("site") or {}).get("func")
                        if site != leak["site"] or RANK[f["severity"]] < 1:
                            continue
                        if f["count"] in (want, total) or f.get("units") == want:
                            hit = f
                            break
                    if hit:
                        s["named"] += 1
                        if hit["rule"] == leak["rule"]:
                            s["named by rule"] += 1
                        by_rule[leak["rule"]][f"named {form}"] += 1
                    else:
                        by_rule[leak["rule"]][f"missed {form}"] += 1
                        if a.show_misses:
                            got = "; ".join(f"{f['rule']} {f['severity']} count={f['count']} "
                                            f"site={(f.get('site') or {}).get('func')}" for f in findings)
                            print(f"MISS  {os.path.basename(dump)}: want {leak['rule']} count={want} "
                                  f"site={leak['site']}; got {got or 'nothing'}")
                expected_sites = {l["site"] for l in t["leaks"]}
                for f in findings:
                    if RANK[f["severity"]] >= 1:
                        table[f["rule"]][form]["all"] += 1
                        if (f.get("site") or {}).get("func") in expected_sites:
                            table[f["rule"]][form]["right"] += 1
                    if RANK[f["severity"]] < 2:
                        continue
                    s["alarms"] += 1
                    if (f.get("site") or {}).get("func") in expected_sites:
                        s["alarms right"] += 1
                    elif a.show_misses:
                        print(f"WRONG {os.path.basename(dump)}: {f['rule']} {f['severity']} count={f['count']} "
                              f"site={(f.get('site') or {}).get('func')}")
    print(f"{'form':<8} {'named':>12} {'by rule':>8} {'alarms right':>13} {'healthy alarmed':>16}")
    for form in FORMS:
        s = stats[form]
        if not s:
            continue
        print(f"{form:<8} {s['named']:>5} of {s['leaks']:<4} {s['named by rule']:>8} "
              f"{s['alarms right']:>5} of {s['alarms']:<5} {s['healthy alarmed']:>7} of {s['healthy dumps']:<5}")
    if a.by_rule:
        # Per rule and form: right / all findings at low or above on leaking
        # dumps, then findings on healthy dumps by severity.
        print()
        print("| rule | " + " | ".join(FORMS) + " |")
        print("|---|" + "---:|" * len(FORMS))
        for rule in sorted(table):
            cells = []
            for form in FORMS:
                c = table[rule][form]
                cell = f"{c['right']}/{c['all']}" if c["all"] else "–"
                healthy = ", ".join(f"{c[k]} {k.split()[1]}" for k in sorted(c) if k.startswith("healthy"))
                if healthy:
                    cell += f"; healthy {healthy}"
                cells.append(cell)
            print(f"| `{rule}` | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
