#!/usr/bin/env python3
"""A fake of GitHub's `gh` for tests/ci/run_workflows.py: the calls the example workflows make,
answered from one JSON file (FAKE_GH_STATE) that the test reads back. Like gh, `--jq` filters
the JSON answer (here with Debian's jq; gh has gojq built in), `issue create --label` fails
for a label the repository does not have, and a comment or issue body over GitHub's 65,536
characters is refused as GitHub refuses it (HTTP 422). Every call is recorded in the state's
"calls"."""
import json
import os
import shutil
import subprocess
import sys

STATE = os.environ["FAKE_GH_STATE"]
with open(STATE) as f:
    st = json.load(f)
a = sys.argv[1:]
st["calls"].append(a)


def opt(name, default=None):
    return a[a.index(name) + 1] if name in a else default


def save():
    with open(STATE, "w") as f:
        json.dump(st, f, indent=1)


def answer(value):
    text = json.dumps(value)
    jq = opt("--jq")
    if jq is not None:
        r = subprocess.run(["jq", "-r", jq], input=text, text=True, capture_output=True)
        if r.returncode != 0:
            sys.exit("fake gh: jq: " + r.stderr)
        text = r.stdout.rstrip("\n")
    if text:
        print(text)


BODY_LIMIT = 65536  # GitHub's limit on a comment's or an issue's body, in characters


def checked(body):
    if len(body) > BODY_LIMIT:
        sys.exit(f"gh: Validation Failed (HTTP 422): body is too long (maximum is {BODY_LIMIT} "
                 f"characters, it has {len(body)})")
    return body


def body_of(field):
    return checked(open(field[1:]).read() if field.startswith("@") else field)


def api():
    method = opt("-X", opt("--method", "GET"))
    path = [x for x in a[1:] if not x.startswith("-") and a[a.index(x) - 1] not in
            ("-X", "--method", "-F", "-f", "--field", "--raw-field", "--jq")][0]
    fields = {}
    for i, x in enumerate(a):
        if x in ("-F", "-f", "--field", "--raw-field"):
            k, v = a[i + 1].split("=", 1)
            fields[k] = body_of(v) if x in ("-F", "--field") else v
    parts = path.strip("/").split("/")
    if parts[0] != "repos" or "/".join(parts[1:3]) != st["repository"]:
        sys.exit(f"fake gh: api: unknown repository in {path}")
    rest = parts[3:]
    if rest[:1] == ["issues"] and len(rest) == 3 and rest[2] == "comments":
        number = int(rest[1])
        if method == "GET":
            return answer([c for c in st["comments"] if c["issue"] == number])
        if method == "POST":
            st["next_id"] += 1
            c = {"id": st["next_id"], "issue": number, "body": fields["body"]}
            st["comments"].append(c)
            save()
            return answer(c)
    if rest[:2] == ["issues", "comments"] and len(rest) == 3 and method == "PATCH":
        for c in st["comments"]:
            if c["id"] == int(rest[2]):
                c["body"] = fields["body"]
                c["edits"] = c.get("edits", 0) + 1
                save()
                return answer(c)
        sys.exit(f"fake gh: api: HTTP 404: no comment {rest[2]}")
    sys.exit(f"fake gh: api: unsupported {method} {path}")


def issue():
    sub = a[1]
    if sub == "list":
        state, label = opt("--state", "open"), opt("--label")
        found = [{"number": i["number"]} for i in st["issues"]
                 if (state == "all" or i["state"] == state) and (label is None or label in i["labels"])]
        return answer(found)
    if sub == "create":
        label = opt("--label")
        if label is not None and label not in st["labels"]:
            sys.exit(f"could not add label: '{label}' not found")
        st["next_id"] += 1
        st["issues"].append({"number": st["next_id"], "title": opt("--title"),
                             "body": checked(open(opt("--body-file")).read()), "state": "open",
                             "labels": [label] if label else [], "comments": []})
        save()
        return print(f"https://github.com/{st['repository']}/issues/{st['next_id']}")
    number = int(a[2])
    it = [i for i in st["issues"] if i["number"] == number]
    if not it:
        sys.exit(f"fake gh: no issue {number}")
    it = it[0]
    if sub == "edit":
        it["body"] = checked(open(opt("--body-file")).read())
    elif sub == "comment":
        it["comments"].append(opt("--body") or open(opt("--body-file")).read())
    elif sub == "close":
        it["state"] = "closed"
        if opt("--comment"):
            it["comments"].append(opt("--comment"))
    else:
        sys.exit("fake gh: unsupported issue " + sub)
    save()


if not os.environ.get("GH_TOKEN"):
    sys.exit("gh: To use GitHub CLI in a GitHub Actions workflow, set the GH_TOKEN environment variable.")
if a[:1] == ["api"]:
    api()
elif a[:1] == ["issue"]:
    issue()
elif a[:2] == ["label", "create"]:
    if a[2] in st["labels"] and "--force" not in a:
        sys.exit(f"label with name \"{a[2]}\" already exists; use `--force` to update it")
    if a[2] not in st["labels"]:
        st["labels"].append(a[2])
elif a[:2] == ["pr", "list"]:
    sha = opt("--search")
    n = st["merged"].get(sha)
    answer([{"number": n}] if n else [])
elif a[:2] == ["run", "download"]:
    src = os.path.join(st["artifacts"], opt("--name"))
    if not os.path.isdir(src):
        sys.exit("no artifact matches any of the names or patterns provided")
    for f in os.listdir(src):
        shutil.copy(os.path.join(src, f), f)
else:
    sys.exit("fake gh: unsupported " + " ".join(a))
save()
