#!/usr/bin/env python3
"""Runs the setup action (action.yml) and the shipped CI examples (examples/ci/*.yml) the way
GitHub Actions would, on this machine, against the bundled emulator (issue 17, point 1; issue 26,
points 1 and 2).

First the setup action's steps, for real: a cold run (`uses: certform/certform@<this checkout's
HEAD commit>`) resolves the commit, misses the cache, clones the commit from a local "GitHub
server" (a bare clone of this repository: server_url is a file:// URL), builds the Release
packages with the documented commands and installs certform's; a second run asked for by branch
name (main, the same commit) must hit the cache and build nothing; an unknown version is refused
by name. "Installs" is `apt-get install ./certform_….deb` as the action writes it, played by an
apt-get on PATH that runs the real `apt-get install --simulate` (the dependencies must resolve on
this machine) and unpacks the package into the job's own root (`dpkg-deb -x`), whose usr/bin joins
the job's PATH: the jobs run the packaged binary and the test changes nothing on the machine
(scripts/test-package.sh installs and removes the package for real). The only thing added to
GitHub's runner: this machine's ccache, when installed, for the Release build.

Then, for each workflow file:
  - it must parse as YAML, and pass the static rules GitHub users got hurt by: a step whose exit
    code passes through a pipe runs with `shell: bash` (pipefail); a job that comments on a pull
    request may write pull requests, one that files issues may write issues, one that pushes may
    write contents; nothing pushes to main; apply has no concurrency group (GitHub cancels a
    pending run when another queues); nothing clones certform itself (the action installs it);
  - a throwaway git repository (a bare "origin" whose main refuses pushes, as branch protection
    does, and clones of it) holds a configuration for the emulator, and the workflow's jobs run
    for the events they answer, in the order a team meets them (see play()): missing secrets,
    pull requests pushed twice (one comment, edited), merges and applies, nightly drift (clean,
    drifted twice, clean: one issue opened, updated, closed), a stale plan re-planned and applied,
    a stale plan whose re-plan differs (nothing applied, then the run by hand), a held lock;
  - every step runs with GitHub's shells, expressions, `if:`s (with the implicit success()),
    GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH and GITHUB_STEP_SUMMARY. The GitHub-only steps are
    played by fakes: actions/checkout (a clone), actions/cache (restore by key and path, saved
    after a successful job), actions/upload-artifact (a directory per name), and `gh`
    (tests/ci/fake_gh.py: comments, issues, labels, merged pull requests, artifacts);
  - a workflow that keeps its state in PostgreSQL gets a real server started here, with TLS and
    the role, database and password its env names; its CERTFORM_PGSSLMODE is left unset.
Usage: run_workflows.py CERTFORM EMULATOR REPO_ROOT   (exit 77 when PyYAML is missing)
"""
import glob
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

try:
    import yaml
except ImportError:
    print("skipped: PyYAML (python3-yaml) is not installed")
    sys.exit(77)

CERTFORM, EMULATOR, ROOT = (os.path.abspath(a) for a in sys.argv[1:4])
HERE = os.path.dirname(os.path.abspath(__file__))
FAILURES = []


def fail(msg):
    FAILURES.append(msg)
    print("FAIL: " + msg)


def sh(cmd, cwd=None, env=None, check=True):
    r = subprocess.run(cmd, cwd=cwd, env=env, shell=isinstance(cmd, str), text=True,
                       capture_output=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{cmd} failed ({r.returncode}): {r.stdout}{r.stderr}")
    return r


# --- expressions ---------------------------------------------------------------------------------
# GitHub's expression language as the examples and action.yml use it: contexts (a missing
# secret, variable, input or output is ''), 'literals', numbers, true/false/null, !, ==, !=, &&,
# || (returning an operand, so `vars.X || 'default'` works), parentheses, and the status
# functions always(), success(), failure().

TOKEN = re.compile(r"\s*(\|\||&&|==|!=|!|\(|\)|,|'(?:[^']|'')*'|[A-Za-z_][A-Za-z0-9_.\-]*|\d+)")


def truthy(v):
    return v not in (None, "", 0, False)


def lookup(ctx, name):
    value = ctx
    parts = name.split(".")
    for i, part in enumerate(parts):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif i >= 1 and parts[0] in ("secrets", "vars", "inputs", "steps", "env", "github"):
            return ""  # GitHub: an unset secret, variable or output is empty
        else:
            raise KeyError(name)
    return value


def evaluate(expr, ctx):
    tokens = []
    pos = 0
    expr = expr.strip()
    while pos < len(expr):
        m = TOKEN.match(expr, pos)
        if not m:
            raise ValueError(f"cannot read the expression {expr!r} at {expr[pos:]!r}")
        tokens.append(m.group(1))
        pos = m.end()
    at = [0]

    def peek():
        return tokens[at[0]] if at[0] < len(tokens) else None

    def take():
        at[0] += 1
        return tokens[at[0] - 1]

    def or_():
        v = and_()
        while peek() == "||":
            take()
            w = and_()
            v = v if truthy(v) else w
        return v

    def and_():
        v = cmp()
        while peek() == "&&":
            take()
            w = cmp()
            v = w if truthy(v) else v
        return v

    def cmp():
        v = unary()
        while peek() in ("==", "!="):
            op = take()
            w = unary()
            same = str(v).lower() == str(w).lower()  # GitHub compares strings ignoring case
            v = same if op == "==" else not same
        return v

    def unary():
        if peek() == "!":
            take()
            return not truthy(unary())
        return atom()

    def atom():
        t = take()
        if t == "(":
            v = or_()
            take()
            return v
        if t.startswith("'"):
            return t[1:-1].replace("''", "'")
        if t.isdigit():
            return int(t)
        if t in ("true", "false"):
            return t == "true"
        if t == "null":
            return None
        if peek() == "(":
            take()
            args = []
            while peek() != ")":
                args.append(or_())
                if peek() == ",":
                    take()
            take()
            if t == "always":
                return True
            if t == "success":
                return ctx["job_status"] == "success"
            if t == "failure":
                return ctx["job_status"] == "failure"
            if t == "contains":
                return str(args[1]).lower() in str(args[0]).lower()
            raise ValueError(f"unknown function {t}() in {expr!r}")
        return lookup(ctx, t)

    value = or_()
    if peek() is not None:
        raise ValueError(f"cannot read the expression {expr!r}")
    return value


def substitute(text, ctx):
    def one(m):
        value = evaluate(m.group(1), ctx)
        return "" if value is None else str(value)
    return re.sub(r"\$\{\{(.*?)\}\}", one, str(text))


def condition(cond, ctx):
    """A step's or job's `if:`, with GitHub's implicit success() when no status function is named."""
    if cond is None:
        return ctx["job_status"] == "success"
    cond = str(cond).strip()
    if cond.startswith("${{") and cond.endswith("}}"):
        cond = cond[3:-2]
    if not re.search(r"\b(always|success|failure|cancelled)\(", cond):
        cond = f"success() && ({cond})"
    return truthy(evaluate(cond, ctx))


# --- static rules --------------------------------------------------------------------------------

def static_checks(name, wf):
    for job_name, job in wf["jobs"].items():
        perms = job.get("permissions", {})
        if job_name == "apply" and job.get("concurrency"):
            # GitHub keeps one pending run per concurrency group and cancels the one before it.
            fail(f"{name}: job apply has a concurrency group: a queued merge's apply would be "
                 "cancelled by the next one")
        for step in job["steps"]:
            run = step.get("run", "")
            if re.search(r"[^|]\|[^|]", run) and step.get("shell") != "bash":
                fail(f"{name}: job {job_name}: step {step.get('name', run[:40])!r} pipes an exit "
                     "code without `shell: bash` (no pipefail)")
            if re.search(r"gh pr comment|gh api .*comments", run) and \
                    perms.get("pull-requests") != "write":
                fail(f"{name}: job {job_name} comments without pull-requests: write")
            if re.search(r"gh (issue|label) ", run) and perms.get("issues") != "write":
                fail(f"{name}: job {job_name} writes issues without issues: write")
            if "git push" in run and perms.get("contents") != "write":
                fail(f"{name}: job {job_name} pushes without contents: write")
            if re.search(r"git push[^\n]*\bmain\b", run):
                fail(f"{name}: job {job_name} pushes to main, which branch protection refuses")
            if "ACTIONS_ID_TOKEN_REQUEST" in run and perms.get("id-token") != "write":
                fail(f"{name}: job {job_name} asks for an OIDC token without id-token: write")
            if "git clone" in run or "CERTFORM_SOURCE" in run:
                fail(f"{name}: job {job_name} clones certform itself: use the setup action")


# --- the runner machine: GitHub's cache, the action's repository, the apt-get it may call -----------

APT_SHIM = r"""#!/bin/bash
# apt-get as tests/ci/run_workflows.py plays it: `install ….deb` is checked by the real apt-get
# (--simulate: the package's dependencies must resolve on this machine) and the packages are
# unpacked into the job's own root (dpkg-deb -x), whose usr/bin joins the job's PATH, so that the
# jobs run the installed binary without the test changing this machine. Any other apt-get call
# would install system packages: refused (scripts/install-deps.sh installs them before the test).
set -euo pipefail
echo "apt-get $*" >> "$FAKE_APT_LOG"
debs=()
for a in "$@"; do case "$a" in *.deb) debs+=("$a") ;; esac; done
if [ "${1:-}" != install ] || [ ${#debs[@]} -eq 0 ]; then
  echo "test apt-get: refusing 'apt-get $*': the test installs no system package" >&2
  exit 100
fi
/usr/bin/apt-get install --simulate -q "${debs[@]}" >> "$FAKE_APT_LOG" 2>&1
for d in "${debs[@]}"; do dpkg-deb -x "$d" "$FAKE_APT_ROOT"; done
echo "$FAKE_APT_ROOT/usr/bin" >> "$GITHUB_PATH"
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Machine:
    """What every job of the test runs on: the repository of the setup action (this checkout's
    commit, on a local "GitHub server"), GitHub's cache (a directory per key and path), one
    RUNNER_TEMP (the same path for every job, emptied before each, as on GitHub's runners)."""

    def __init__(self, shared):
        self.shared = shared
        self.head = sh(["git", "-C", ROOT, "rev-parse", "HEAD"]).stdout.strip()
        server = os.path.join(shared, "server")
        bare = os.path.join(server, "certform", "certform.git")
        os.makedirs(os.path.dirname(bare))
        sh(["git", "clone", "-q", "--bare", "--no-hardlinks", ROOT, bare])
        sh(["git", "-C", bare, "update-ref", "refs/heads/main", self.head])
        # GitHub serves a commit by its SHA (`git fetch URL SHA`); a local bare repository must be told.
        sh(["git", "-C", bare, "config", "uploadpack.allowAnySHA1InWant", "true"])
        self.server_url = "file://" + server
        self.cache = os.path.join(shared, "actions-cache")
        self.runner_temp = os.path.join(shared, "runner-temp")
        self.shims = os.path.join(shared, "shims")
        os.makedirs(self.cache)
        os.makedirs(self.shims)
        with open(os.path.join(self.shims, "apt-get"), "w") as f:
            f.write(APT_SHIM)
        with open(os.path.join(self.shims, "sudo"), "w") as f:
            f.write('#!/bin/sh\nexec "$@"\n')
        for name in ("apt-get", "sudo"):
            os.chmod(os.path.join(self.shims, name), 0o755)
        self.cache_events = []  # (key, "hit" | "miss" | "saved")
        # The only thing the test adds to GitHub's runner: this machine's ccache, when installed,
        # so that the cold build (a Release build of certform) is quick when nothing changed.
        self.build_env = {}
        if shutil.which("ccache"):
            self.build_env = {
                "CMAKE_CXX_COMPILER_LAUNCHER": "ccache", "CCACHE_NOHASHDIR": "1",
                "CCACHE_BASEDIR": os.path.join(self.runner_temp, "certform-src"),
                "CCACHE_DIR": os.environ.get("CCACHE_DIR") or
                os.path.join(os.path.expanduser("~"), ".cache", "ccache")}

    def cache_entry(self, key, path):
        import hashlib
        return os.path.join(self.cache, hashlib.sha256((key + "\n" + path).encode()).hexdigest())


# --- one job, as GitHub's runner plays it ----------------------------------------------------------

class Job:
    """Runs one job's steps: `run:` steps with GitHub's shells (`bash -e`, and `bash -eo pipefail`
    with `shell: bash`), its ${{ }} expressions and `if:`s, GITHUB_OUTPUT, GITHUB_ENV,
    GITHUB_PATH and GITHUB_STEP_SUMMARY; `uses:` steps are played: actions/checkout (a clone),
    actions/cache (restore by key and path, saved after a successful job), actions/upload-artifact
    (a directory per name), and the setup action (`…/certform@REF` or `./`: this checkout's
    action.yml, its composite steps run for real)."""

    def __init__(self, machine, name, job, ctx, env, home, origin=None, gh_state=None):
        self.m, self.name, self.job, self.ctx, self.env = machine, name, job, ctx, env
        self.home, self.origin, self.gh_state = home, origin, gh_state
        self.work = os.path.join(home, "work")
        os.makedirs(self.work)
        self.bindir = os.path.join(home, "fakebin")
        os.makedirs(self.bindir)
        if gh_state:
            os.symlink(os.path.join(HERE, "fake_gh.py"), os.path.join(self.bindir, "gh"))
        self.paths = [machine.shims, self.bindir]
        self.rootfs = os.path.join(home, "rootfs")
        self.apt_log = os.path.join(home, "apt.log")
        open(self.apt_log, "w").close()
        self.log = []
        self.summary = ""
        self.ran = []  # the names of the steps that ran, composite ones included
        self.saves = []
        shutil.rmtree(machine.runner_temp, ignore_errors=True)
        os.makedirs(machine.runner_temp)
        ctx["job_status"] = "success"

    def run(self):
        self.run_steps(self.job["steps"], self.ctx)
        for key, path in self.saves:  # actions/cache's post step: saved after a successful job
            if self.ctx["job_status"] == "success" and os.path.exists(path):
                shutil.copytree(path, self.m.cache_entry(key, path))
                self.m.cache_events.append((key, "saved"))
        return self.ctx["job_status"] == "success"

    def run_steps(self, steps, ctx, action_path=None):
        for step in steps:
            if not condition(step.get("if"), ctx):
                if step.get("id"):
                    ctx["steps"][step["id"]] = {"outputs": {}, "outcome": "skipped"}
                continue
            self.ran.append(step.get("name", step.get("uses", step.get("run", "")[:60])))
            if "uses" in step:
                ok = self.uses(step, ctx)
            else:
                ok = self.run_script(step, ctx, action_path)
            if step.get("id"):
                ctx["steps"].setdefault(step["id"], {"outputs": {}})
                ctx["steps"][step["id"]]["outcome"] = "success" if ok else "failure"
            if not ok and not step.get("continue-on-error"):
                ctx["job_status"] = "failure"

    def run_script(self, step, ctx, action_path):
        step_env = dict(os.environ)
        step_env.update(self.m.build_env)
        step_env.update({"HOME": self.home, "RUNNER_TEMP": self.m.runner_temp,
                         "GITHUB_WORKSPACE": self.work, "CI": "true",
                         "GITHUB_SHA": self.ctx["github"]["sha"],
                         "GITHUB_EVENT_NAME": self.ctx["github"]["event_name"],
                         "GITHUB_REPOSITORY": self.ctx["github"]["repository"],
                         "GITHUB_SERVER_URL": self.ctx["github"]["server_url"],
                         "GITHUB_RUN_ID": str(self.ctx["github"]["run_id"]),
                         "FAKE_APT_LOG": self.apt_log, "FAKE_APT_ROOT": self.rootfs})
        if self.gh_state:
            step_env["FAKE_GH_STATE"] = self.gh_state
        if action_path:
            step_env["GITHUB_ACTION_PATH"] = action_path
        step_env.update(self.env)
        for k, v in step.get("env", {}).items():
            step_env[k] = substitute(v, {**ctx, "env": self.env})
        step_env["PATH"] = ":".join(reversed(self.paths)) + ":/usr/bin:/bin"
        files = {}
        for var in ("GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_ENV", "GITHUB_STEP_SUMMARY"):
            files[var] = os.path.join(self.home, var.lower())
            open(files[var], "w").close()
            step_env[var] = files[var]
        script = substitute(step["run"], {**ctx, "env": self.env})
        shell = (["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]
                 if step.get("shell") == "bash" else ["bash", "-e", "-c"])
        r = subprocess.run(shell + [script], cwd=self.work, env=step_env, text=True,
                           capture_output=True)
        self.log.append(f"$ {step.get('name', script[:60])} -> {r.returncode}\n{r.stdout}{r.stderr}")
        outputs = {}
        for line in open(files["GITHUB_OUTPUT"]):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                outputs[k] = v
        if step.get("id"):
            ctx["steps"][step["id"]] = {"outputs": outputs}
        for line in open(files["GITHUB_PATH"]):
            if line.strip():
                self.paths.append(line.strip())
        for line in open(files["GITHUB_ENV"]):  # KEY=VALUE lines, for the job's later steps
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                self.env[k] = v
        self.summary += open(files["GITHUB_STEP_SUMMARY"]).read()
        return r.returncode == 0

    def uses(self, step, ctx):
        action, _, ref = step["uses"].partition("@")
        with_ = {k: substitute(v, {**ctx, "env": self.env}) for k, v in step.get("with", {}).items()}
        if action == "actions/checkout":
            sh(["git", "clone", "-q", "--branch", self.ctx["github"]["ref_name"], self.origin,
                self.work])
            sh(["git", "config", "user.name", "test"], cwd=self.work)
            sh(["git", "config", "user.email", "test@example.com"], cwd=self.work)
            return True
        if action == "actions/cache":
            key, path = with_["key"], with_["path"]
            entry = self.m.cache_entry(key, path)
            hit = os.path.isdir(entry)
            if hit:
                shutil.rmtree(path, ignore_errors=True)
                shutil.copytree(entry, path)
            else:
                self.saves.append((key, path))
            self.m.cache_events.append((key, "hit" if hit else "miss"))
            ctx["steps"][step["id"]] = {"outputs": {"cache-hit": "true" if hit else "false"}}
            return True
        if action == "actions/upload-artifact":
            # `path` is one file or, as GitHub takes it, one per line; a missing one fails the
            # step unless if-no-files-found is ignore (GitHub's default warns and uploads none).
            dest = os.path.join(self.world_artifacts, with_["name"])
            os.makedirs(dest, exist_ok=True)
            paths = [p.strip() for p in str(with_["path"]).splitlines() if p.strip()]
            srcs = [os.path.join(self.work, p) for p in paths]
            if not srcs or not all(os.path.exists(src) for src in srcs):
                return with_.get("if-no-files-found") == "ignore"
            for src in srcs:
                shutil.copy(src, dest)
            return True
        if action == "." or action == "./" or action.endswith("/certform"):
            return self.setup_action(action, ref, with_, step, ctx)
        fail(f"unknown action {action}: teach tests/ci/run_workflows.py to play it")
        return False

    def setup_action(self, action, ref, with_, step, ctx):
        with open(os.path.join(ROOT, "action.yml")) as f:
            spec = yaml.safe_load(f)
        github = dict(self.ctx["github"], action_ref=ref,
                      action_repository="" if action.startswith(".") else action)
        actx = {**ctx, "github": github, "steps": {}, "job_status": "success", "inputs": {}}
        for name, inp in spec.get("inputs", {}).items():
            actx["inputs"][name] = with_.get(name, substitute(inp.get("default", ""), actx))
        for unknown in set(with_) - set(actx["inputs"]):
            fail(f"job {self.name}: the setup action has no input {unknown!r}")
        self.run_steps(spec["runs"]["steps"], actx, action_path=ROOT)
        outputs = {k: substitute(v["value"], actx) for k, v in spec.get("outputs", {}).items()}
        if step.get("id"):
            ctx["steps"][step["id"]] = {"outputs": outputs}
        return actx["job_status"] == "success"


DOMAINS = ["www.example.com", "img.example.com", "new.example.com", "legacy.example.com",
           "a.example.com", "b.example.com", "c.example.com", "d.example.com"]


class World:
    """The team's side: the emulator (the CDN API), GitHub's token service, a PostgreSQL server
    (with TLS) when the workflow keeps its state there, the team's repository (a bare "origin"
    whose main is protected: a pre-receive hook refuses every push to it but the test's merges),
    and GitHub's API as the fake gh sees it (pull requests, comments, issues, artifacts)."""

    def __init__(self, tmp, wf, machine):
        self.tmp, self.wf, self.m = tmp, wf, machine
        self.artifacts = os.path.join(tmp, "artifacts")
        os.makedirs(self.artifacts)
        self.gh_state = os.path.join(tmp, "gh.json")
        self.write_gh({"repository": "team/infra", "comments": [], "issues": [], "labels": [],
                       "merged": {}, "artifacts": self.artifacts, "calls": [], "next_id": 100})
        self.run_id = 1000
        self.secrets = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "ci-key-id",
                        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "ci-secret-" + str(os.getpid())}
        # GitHub's OIDC token for the job, and the RAM role that trusts it (AssumeRoleWithOIDC).
        self.oidc_token = "gh-oidc-" + str(os.getpid())
        self.vars = {"ALIBABA_CLOUD_ROLE_ARN": "acs:ram::1234:role/certform-ci",
                     "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": "acs:ram::1234:oidc-provider/github",
                     "ALIBABA_CLOUD_OIDC_AUDIENCE": "sts.example"}
        self.token_server = self.emulator = self.pg = None
        self.postgres = "PGHOST" in wf.get("env", {})
        try:
            self.start_token_service()
            self.start_emulator()
            if self.postgres:
                self.start_postgres(wf["env"])
            self.make_repository()
        except BaseException:
            self.stop()  # what did start stops: no emulator or server is left behind
            raise

    def gh(self):
        with open(self.gh_state) as f:
            return json.load(f)

    def write_gh(self, st):
        with open(self.gh_state, "w") as f:
            json.dump(st, f)

    # The CDN API, as the workflow's certform sees it.
    def start_emulator(self):
        config = {"accounts": [{"access_key_id": self.secrets["ALIBABA_CLOUD_ACCESS_KEY_ID"],
                                "access_key_secret": self.secrets["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
                                "user": "ci"}],
                  "roles": [{"arn": self.vars["ALIBABA_CLOUD_ROLE_ARN"], "user": "ci",
                             "oidc_provider_arn": self.vars["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"],
                             "oidc_token": self.oidc_token}],
                  "domains": DOMAINS}
        path = os.path.join(self.tmp, "emulator.json")
        with open(path, "w") as f:
            json.dump(config, f)
        port_file = os.path.join(self.tmp, "port")
        # The edge too (--tls-port): the nightly drift job checks each binding's handshake there
        # (drift --verify; the configuration's [verify] connect sends them to it).
        tls_port_file = os.path.join(self.tmp, "tls-port")
        self.emulator = subprocess.Popen([EMULATOR, "--config", path, "--port", "0",
                                          "--port-file", port_file, "--tls-port", "0",
                                          "--tls-port-file", tls_port_file],
                                         stderr=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.05)
        self.endpoint = "http://127.0.0.1:" + open(port_file).read().strip()
        self.edge = "127.0.0.1:" + open(tls_port_file).read().strip()

    # GitHub's token service: ACTIONS_ID_TOKEN_REQUEST_URL answers {"value": token} to a bearer of
    # ACTIONS_ID_TOKEN_REQUEST_TOKEN asking for the configured audience.
    def start_token_service(self):
        world = self
        self.request_token = "req-" + str(os.getpid())

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                good = (self.headers.get("Authorization") == "bearer " + world.request_token and
                        query.get("audience") == [world.vars["ALIBABA_CLOUD_OIDC_AUDIENCE"]])
                body = json.dumps({"value": world.oidc_token} if good else {"message": "no"})
                self.send_response(200 if good else 401)
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args):
                pass

        self.token_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.token_server.serve_forever, daemon=True).start()
        self.token_url = (f"http://127.0.0.1:{self.token_server.server_address[1]}"
                          "/token?api-version=2.0")

    def counters(self):
        with urllib.request.urlopen(self.endpoint + "/_emulator/counters") as r:
            return json.load(r)

    def live(self):
        with urllib.request.urlopen(self.endpoint + "/_emulator/state") as r:
            return json.load(r)["domains"]

    def unbind_by_hand(self, domain):
        """Someone switches HTTPS off on `domain` outside the team's workflow (another tool: here,
        certform with a configuration and state of its own). Returns what was live before."""
        before = self.live()[domain]
        other = tempfile.mkdtemp(dir=self.tmp, prefix="by-hand-")
        with open(os.path.join(other, "certform.toml"), "w") as f:
            f.write(f'[account.main]\nendpoint = "{self.endpoint}"\n\n'
                    f'[[binding]]\nhttps = false\ndomains = ["{domain}"]\n')
        env = dict(os.environ, **self.secrets)
        sh([CERTFORM, "apply", "--auto-approve", "--config", other], env=env)
        return before

    def put_back(self, domain, live):
        """Undoes unbind_by_hand: the domain is served as it was (the emulator's admin API)."""
        req = urllib.request.Request(self.endpoint + "/_emulator/domains/" + domain,
                                     data=json.dumps(live).encode(), method="PUT")
        urllib.request.urlopen(req).read()

    # A PostgreSQL server with the role, database and password the workflow's env names, and TLS
    # (a self-signed certificate): the workflow's default sslmode (require) must connect.
    def start_postgres(self, env):
        initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not initdb:
            raise RuntimeError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)")
        bindir = os.path.dirname(initdb[-1])
        pgdir = os.path.join(self.tmp, "pg")
        os.makedirs(pgdir)
        sh(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
            "/CN=127.0.0.1", "-keyout", f"{pgdir}/server.key", "-out", f"{pgdir}/server.crt"])
        os.chmod(f"{pgdir}/server.key", 0o600)
        prefix = []
        if os.geteuid() == 0:
            for f in (pgdir, f"{pgdir}/server.key", f"{pgdir}/server.crt"):
                shutil.chown(f, "postgres", "postgres")
            os.chmod(self.tmp, 0o755)
            prefix = ["runuser", "-u", "postgres", "--"]
        port = free_port()
        sh(prefix + [f"{bindir}/initdb", "-D", f"{pgdir}/data", "-U", "postgres",
                     "--auth=trust"])
        sh(prefix + [f"{bindir}/pg_ctl", "-D", f"{pgdir}/data", "-l", f"{pgdir}/log", "-w",
                     "-o", f"-k {pgdir} -p {port} -h 127.0.0.1 -c ssl=on "
                     f"-c ssl_cert_file={pgdir}/server.crt -c ssl_key_file={pgdir}/server.key "
                     "-c log_connections=on", "start"])
        self.pg = (prefix, bindir, pgdir)
        password = "pg-" + str(os.getpid())
        user, database = env["PGUSER"], env["PGDATABASE"]
        psql = [f"{bindir}/psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-q",
                "-v", "ON_ERROR_STOP=1"]
        sh(psql + ["-c", f"CREATE ROLE {user} LOGIN PASSWORD '{password}'"])
        sh(psql + ["-c", f"CREATE DATABASE {database} OWNER {user}"])
        self.secrets.update({"CERTFORM_PGHOST": "127.0.0.1", "CERTFORM_PGPORT": str(port),
                             "CERTFORM_PGPASSWORD": password})
        # vars.CERTFORM_PGSSLMODE is left unset: the workflow's default applies.

    def pg_log(self):
        return open(os.path.join(self.pg[2], "log")).read() if self.pg else ""

    def stop(self):
        if self.token_server:
            self.token_server.shutdown()
        if self.emulator:
            self.emulator.terminate()
            self.emulator.wait()
        if self.pg:
            prefix, bindir, pgdir = self.pg
            sh(prefix + [f"{bindir}/pg_ctl", "-D", f"{pgdir}/data", "-m", "fast", "-w", "stop"],
               check=False)

    # The team's repository: certform.toml for the emulator, certificates without keys.
    def make_repository(self):
        self.origin = os.path.join(self.tmp, "origin.git")
        sh(["git", "init", "-q", "--bare", "-b", "main", self.origin])
        hook = os.path.join(self.origin, "hooks", "pre-receive")
        with open(hook, "w") as f:  # branch protection of main: changes come by pull request
            f.write('#!/bin/sh\nwhile read old new ref; do\n'
                    '  if [ "$ref" = refs/heads/main ] && [ -z "$TEST_MERGE" ]; then\n'
                    '    echo "error: GH006: Protected branch update failed for refs/heads/main." >&2\n'
                    '    exit 1\n  fi\ndone\n')
        os.chmod(hook, 0o755)
        seed = os.path.join(self.tmp, "seed")
        sh(["git", "clone", "-q", self.origin, seed])
        self.git_identity(seed)
        certs = os.path.join(self.tmp, "pki")
        shutil.copytree(os.path.join(ROOT, "examples", "basic"), certs)
        sh([os.path.join(certs, "gen-certs.sh")])
        os.makedirs(os.path.join(seed, "certs"))
        shutil.copy(os.path.join(certs, "certs", "wildcard.pem"), os.path.join(seed, "certs"))
        # The key is a secret: never in the repository, only in the apply job's env.
        self.secrets["WILDCARD_KEY"] = open(os.path.join(certs, "certs", "wildcard.key")).read()
        self.state_table = ""
        if self.postgres:
            self.state_table = '\n[state]\nbackend = "postgres"\nworkspace = "production"\n'
        self.write_config(seed, ["www.example.com"])
        sh("git add -A && git commit -q -m 'certform configuration' && "
           "TEST_MERGE=1 git push -q origin main", cwd=seed)
        self.seed = seed

    def write_config(self, repo, domains):
        with open(os.path.join(repo, "certform.toml"), "w") as f:
            f.write(f"""[account.main]
endpoint = "{self.endpoint}"
sts_endpoint = "{self.endpoint}"

[certificate.wildcard]
cert_file = "certs/wildcard.pem"
key_env = "WILDCARD_KEY"

[[binding]]
certificate = "wildcard"
domains = {json.dumps(domains)}

[[binding]]
https = false
domains = ["legacy.example.com"]

[verify]
connect = {{ "*" = "{self.edge}" }}
{self.state_table}""")

    def git_identity(self, repo):
        sh(["git", "config", "user.name", "test"], cwd=repo)
        sh(["git", "config", "user.email", "test@example.com"], cwd=repo)

    # A pull request: a branch on origin (from main as it is now) changing certform.toml.
    def open_pull_request(self, number, domains):
        sh(["git", "fetch", "-q", "origin"], cwd=self.seed)
        sh(["git", "checkout", "-q", "-B", f"pr{number}", "origin/main"], cwd=self.seed)
        return self.push_pull_request(number, domains)

    def push_pull_request(self, number, domains):
        self.write_config(self.seed, domains)
        sh(f"git commit -q --allow-empty -am 'pull request {number}' && "
           f"git push -q -f origin pr{number}", cwd=self.seed)
        return f"pr{number}"

    def merge(self, number, resolved=None):
        """Merges pull request `number` into main; `resolved`: the domains of the merge result
        when the two sides changed the same line (each pull request rewrites the binding)."""
        sh(["git", "fetch", "-q", "origin"], cwd=self.seed)
        sh(["git", "checkout", "-q", "-B", "main", "origin/main"], cwd=self.seed)
        r = sh(["git", "merge", "-q", "--no-ff", "-m", f"Merge pull request #{number}",
                f"origin/pr{number}"], cwd=self.seed, check=False)
        if r.returncode != 0:
            if resolved is None:
                raise RuntimeError(f"merging #{number}: {r.stdout}{r.stderr}")
            self.write_config(self.seed, resolved)
            sh("git add certform.toml && git commit -q --no-edit", cwd=self.seed)
        sh("TEST_MERGE=1 git push -q origin main", cwd=self.seed)
        sha = sh(["git", "rev-parse", "HEAD"], cwd=self.seed).stdout.strip()
        st = self.gh()
        st["merged"][sha] = number
        self.write_gh(st)
        return sha

    def run_job(self, job_name, event, ref, sha, pr_number=None, missing=(), extra_env=None):
        """Runs `job_name` for `event` on branch `ref` at commit `sha`; `missing`: repository
        secrets or variables left unset for this run. None when the job does not run for it."""
        job = self.wf["jobs"][job_name]
        self.run_id += 1
        home = tempfile.mkdtemp(dir=self.tmp, prefix=f"{job_name}-home-")
        secrets = {k: v for k, v in self.secrets.items() if k not in missing}
        variables = {k: v for k, v in self.vars.items() if k not in missing}
        ctx = {"github": {"event_name": event, "sha": sha, "token": "gh-token", "ref_name": ref,
                          "repository": "team/infra", "server_url": self.m.server_url,
                          "run_id": self.run_id,
                          "event": {"pull_request": {"number": pr_number}, "number": pr_number}},
               "secrets": secrets, "vars": variables,
               "runner": {"os": "Linux", "arch": "X64", "temp": self.m.runner_temp},
               "steps": {}, "env": {}, "job_status": "success"}
        if not condition(job.get("if"), ctx):
            return None
        env = {}
        for scope in (self.wf.get("env", {}), job.get("env", {})):
            for k, v in scope.items():
                env[k] = substitute(v, {**ctx, "env": env})
        env.update(extra_env or {})
        # GitHub offers the job an OIDC token only with id-token: write.
        if job.get("permissions", {}).get("id-token") == "write":
            env.update({"ACTIONS_ID_TOKEN_REQUEST_URL": self.token_url,
                        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": self.request_token})
        j = Job(self.m, job_name, job, ctx, env, home, origin=self.origin,
                gh_state=self.gh_state)
        j.world_artifacts = self.artifacts
        ok = j.run()
        self.last_job = j
        self.last_log = "\n".join(j.log) + "\n--- summary:\n" + j.summary
        return ok


def expect(cond, what, world):
    if not cond:
        fail(what + "\n" + getattr(world, "last_log", ""))


# --- the setup action: a cold run, then cache hits ------------------------------------------------

def test_setup_action(machine, tmp):
    """The action's steps for real: the first run resolves the commit, finds no cache, clones
    this repository's commit from the local server, builds the Release packages with the
    documented commands and installs certform's; the second (asked for by branch name, which
    resolves to the same commit) finds the cached .deb and builds nothing."""
    def job(name, ref, with_=None):
        home = tempfile.mkdtemp(dir=tmp, prefix=f"setup-{name}-")
        step = {"uses": f"certform/certform@{ref}", "id": "setup"}
        if with_:
            step["with"] = with_
        spec = {"steps": [step, {"name": "run it", "shell": "bash",
                                 "run": "command -v certform; certform version --json"}]}
        ctx = {"github": {"event_name": "push", "sha": "0" * 40, "ref_name": "main",
                          "repository": "team/infra", "server_url": machine.server_url,
                          "run_id": 1},
               "secrets": {}, "vars": {}, "steps": {}, "env": {}, "job_status": "success",
               "runner": {"os": "Linux", "arch": "X64", "temp": machine.runner_temp}}
        j = Job(machine, "setup", spec, ctx, {}, home)
        started = time.monotonic()
        ok = j.run()
        j.seconds = time.monotonic() - started
        j.text = "\n".join(j.log)
        return ok, j

    build_step = "build the certform package (once per commit, then cached)"
    ok, cold = job("cold", machine.head)
    print(f"setup action, cold run (Release build of {machine.head[:12]}): {cold.seconds:.0f} s")
    if not ok:
        return fail("setup action: the cold run failed\n" + cold.text)
    if build_step not in cold.ran:
        fail("setup action: the cold run did not build\n" + cold.text)
    apt = open(cold.apt_log).read()
    if not re.search(r"^Inst certform ", apt, re.M):
        fail("setup action: apt-get did not resolve the certform package's install\n" + apt)
    if "apt-get install" not in apt:
        fail("setup action: the package was not installed with apt-get install\n" + apt)
    installed = os.path.join(cold.rootfs, "usr", "bin", "certform")
    if installed not in cold.text:
        fail("setup action: `certform` is not the packaged binary\n" + cold.text)
    if f'"commit":"{machine.head[:12]}' not in cold.text.replace(" ", ""):
        fail(f"setup action: the installed certform was not built from {machine.head[:12]}\n" +
             cold.text)
    if ("certform-deb-" + machine.head + "-Linux-X64", "saved") not in machine.cache_events:
        fail(f"setup action: the .deb was not cached under the commit: {machine.cache_events}")

    events = len(machine.cache_events)
    ok, hit = job("hit", "main")  # a branch: resolved to the same commit, so the same cache key
    print(f"setup action, cache hit: {hit.seconds:.1f} s")
    if not ok or build_step in hit.ran or \
            machine.cache_events[events:] != [("certform-deb-" + machine.head + "-Linux-X64", "hit")]:
        fail(f"setup action: the second run did not reuse the cached .deb "
             f"({machine.cache_events[events:]})\n" + hit.text)
    if os.path.exists(os.path.join(machine.runner_temp, "certform-src")):
        fail("setup action: the cache hit cloned certform again")
    if os.path.join(hit.rootfs, "usr", "bin", "certform") not in hit.text:
        fail("setup action: the cache hit did not install and run the cached package\n" + hit.text)

    ok, bad = job("bad", "main", {"ref": "no-such-version"})
    if ok or "no-such-version is neither a tag nor a branch" not in bad.text:
        fail("setup action: an unknown version is not refused by name\n" + bad.text)


# --- the example workflows, job by job ------------------------------------------------------------

def comments_on(world, number):
    return [c for c in world.gh()["comments"] if c["issue"] == number]


def open_drift_issues(world):
    return [i for i in world.gh()["issues"] if i["state"] == "open"]


def run_workflow(path, machine):
    name = os.path.basename(path)
    with open(path) as f:
        wf = yaml.safe_load(f)
    static_checks(name, wf)
    tmp = tempfile.mkdtemp(prefix="certform-workflow-")
    try:
        world = World(tmp, wf, machine)
        try:
            play(name, world)
        finally:
            world.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{name}: {'FAILED' if FAILURES else 'ok'}")


def play(name, world):
    def live_https(*domains):
        live = world.live()
        return all(live[d]["https"] for d in domains)

    if world.postgres:
        # A missing secret: the job stops at once, naming it (not libpq's words).
        ok = world.run_job("plan", "pull_request", "main", "pr0-head", 6,
                           missing=("CERTFORM_PGPASSWORD",))
        expect(ok is False and "CERTFORM_PGPASSWORD" in world.last_log,
               f"{name}: a missing CERTFORM_PGPASSWORD does not fail the plan job by name", world)

    # Pull request #7 binds two domains: plan (no key), artifact, one comment; a second push
    # updates that comment in place.
    ref = world.open_pull_request(7, ["www.example.com", "img.example.com"])
    expect(world.run_job("plan", "pull_request", ref, "pr7-head", 7),
           f"{name}: plan job failed on pull request #7", world)
    world.push_pull_request(7, ["www.example.com", "img.example.com"])
    expect(world.run_job("plan", "pull_request", ref, "pr7-head2", 7),
           f"{name}: plan job failed on the second push to #7", world)
    comments = comments_on(world, 7)
    expect(len(comments) == 1 and comments[0].get("edits") == 1 and
           "www.example.com" in comments[0]["body"] and
           comments[0]["body"].startswith("<!-- certform plan:"),
           f"{name}: #7 should have one certform comment, updated in place: {comments}", world)
    # The comment names the artifact, which holds the whole plan as text beside the plan file.
    whole = os.path.join(world.artifacts, "certform-plan-pr-7", "plan.txt")
    expect("artifact certform-plan-pr-7" in comments[0]["body"] and os.path.exists(whole) and
           all(w in open(whole).read() for w in ("+ bind certificate", "www.example.com")),
           f"{name}: #7's artifact does not hold the whole plan as text (plan.txt)", world)

    # Merged: a missing key stops the apply before it starts; then #7's plan is applied.
    sha = world.merge(7)
    expect(world.run_job("apply", "push", "main", sha, missing=("WILDCARD_KEY",)) is False and
           "WILDCARD_KEY" in world.last_log and not live_https("www.example.com"),
           f"{name}: a missing WILDCARD_KEY does not stop the apply job by name", world)
    expect(world.run_job("apply", "push", "main", sha),
           f"{name}: apply job failed after merging #7", world)
    expect(live_https("www.example.com", "img.example.com"),
           f"{name}: the live CDN does not serve the certificate after apply", world)
    if world.postgres:
        expect(re.search(r"connection authorized: user=certform .*SSL enabled", world.pg_log()),
               f"{name}: certform did not connect to PostgreSQL over TLS by default", world)
    else:
        check = os.path.join(world.tmp, "check-state")
        sh(["git", "clone", "-q", "--branch", "certform-state", world.origin, check])
        expect(os.path.exists(os.path.join(check, "certform.state.json")) and
               not os.path.exists(os.path.join(check, "certform.lock")),
               f"{name}: the state is not on branch certform-state, or the lock was left", world)

    # Nightly drift: clean (no issue); after a change by hand, one issue, updated on the next
    # night; clean again: the issue is closed.
    expect(world.run_job("drift", "schedule", "main", sha) is True and not world.gh()["issues"],
           f"{name}: drift failed, or opened an issue, with nothing changed", world)
    before = world.unbind_by_hand("img.example.com")
    expect(world.run_job("drift", "schedule", "main", sha) is False,
           f"{name}: drift passed although img.example.com was changed by hand", world)
    world.run_job("drift", "schedule", "main", sha)
    issues = open_drift_issues(world)
    expect(len(world.gh()["issues"]) == 1 and len(issues) == 1 and
           "img.example.com" in issues[0]["body"],
           f"{name}: drift should keep one open issue naming img.example.com: "
           f"{world.gh()['issues']}", world)
    # drift --verify: the edge agrees (a handshake for img gets no certificate), and says so as
    # drift, not as a check it could not make; www still serves the wildcard there.
    body = issues[0]["body"] if issues else ""
    expect("### certform verify: not verified" in body and
           re.search(r"img\.example\.com`? \| not_serving \|", body) and
           "1 of 2 domains serve the configured certificate" in body,
           f"{name}: the drift issue lacks the edge's report (drift --verify): {body}", world)
    world.put_back("img.example.com", before)
    expect(world.run_job("drift", "schedule", "main", sha) is True and not open_drift_issues(world),
           f"{name}: a clean drift did not close the drift issue", world)

    # Pull request #8 adds a domain; #9 is opened later (its artifact is newer) but not merged.
    ref8 = world.open_pull_request(8, ["www.example.com", "img.example.com", "new.example.com"])
    expect(world.run_job("plan", "pull_request", ref8, "pr8-head", 8),
           f"{name}: plan job failed on #8", world)
    sha8 = world.merge(8)
    ref9 = world.open_pull_request(9, ["www.example.com"])
    expect(world.run_job("plan", "pull_request", ref9, "pr9-head", 9),
           f"{name}: plan job failed on #9", world)
    expect(world.run_job("apply", "push", "main", sha8),
           f"{name}: apply job failed after merging #8", world)
    expect(live_https("new.example.com", "www.example.com", "img.example.com"),
           f"{name}: #8's plan was not the one applied", world)

    # A stale plan: #10 and #11 are reviewed at once; #10 is applied first, so #11's plan is
    # stale when it merges. Main's plan then makes exactly #11's reviewed changes: applied.
    base = ["www.example.com", "img.example.com", "new.example.com"]
    for n, d in ((10, "a.example.com"), (11, "b.example.com")):
        world.open_pull_request(n, base + [d])
        expect(world.run_job("plan", "pull_request", f"pr{n}", f"pr{n}-head", n),
               f"{name}: plan job failed on #{n}", world)
    expect(world.run_job("apply", "push", "main", world.merge(10)),
           f"{name}: apply job failed after merging #10", world)
    ok = world.run_job("apply", "push", "main",
                       world.merge(11, base + ["a.example.com", "b.example.com"]))
    expect(ok and live_https("a.example.com", "b.example.com") and
           "re-planned" in world.last_log,
           f"{name}: #11's stale plan was not re-planned and applied, saying so", world)

    # A stale plan whose re-plan differs: #12's apply never ran (GitHub cancelled it, or it
    # failed), #13's reviewed plan lacks #12's change: nothing is applied, the job fails and says
    # what to do; run by hand, the workflow applies main.
    base += ["a.example.com", "b.example.com"]
    for n, d in ((12, "c.example.com"), (13, "d.example.com")):
        world.open_pull_request(n, base + [d])
        expect(world.run_job("plan", "pull_request", f"pr{n}", f"pr{n}-head", n),
               f"{name}: plan job failed on #{n}", world)
    world.merge(12)
    sha13 = world.merge(13, base + ["c.example.com", "d.example.com"])
    ok = world.run_job("apply", "push", "main", sha13)
    expect(ok is False and not world.live()["d.example.com"]["https"] and
           "Run workflow" in world.last_job.summary and "c.example.com" in world.last_job.summary,
           f"{name}: a stale plan that main no longer gives was applied, or the job did not say "
           "what to do", world)
    expect(world.run_job("apply", "workflow_dispatch", "main", sha13) and
           live_https("c.example.com", "d.example.com"),
           f"{name}: the apply run by hand did not apply main", world)

    if not world.postgres:
        # Another apply holds the state branch's lock: this one waits (here: not at all) and
        # fails naming the holder, instead of GitHub cancelling a queued run.
        sh(["git", "fetch", "-q", "origin", "certform-state"], cwd=world.seed)
        sh(["git", "checkout", "-q", "-B", "lock", "FETCH_HEAD"], cwd=world.seed)
        with open(os.path.join(world.seed, "certform.lock"), "w") as f:
            f.write("run 4242 (apply of 0123abcd)\n")
        sh("git add certform.lock && git commit -q -m lock && "
           "git push -q origin lock:certform-state", cwd=world.seed)
        ok = world.run_job("apply", "workflow_dispatch", "main", sha13,
                           extra_env={"CERTFORM_LOCK_WAIT": "0"})
        expect(ok is False and "run 4242" in world.last_log,
               f"{name}: a held state lock did not stop the apply naming its holder", world)

    if "ALIBABA_CLOUD_ROLE_ARN" in world.wf.get("env", {}):
        calls = world.counters()["calls"]
        expect(calls.get("AssumeRoleWithOIDC", {}).get("anonymous", 0) >= 3,
               f"{name}: the jobs did not sign in with OIDC (calls: {calls})", world)


def main():
    started = time.monotonic()
    shared = tempfile.mkdtemp(prefix="certform-runner-")
    try:
        machine = Machine(shared)
        test_setup_action(machine, shared)
        workflows = sorted(glob.glob(os.path.join(ROOT, "examples", "ci", "*.yml")))
        if not workflows:
            fail("no workflows in examples/ci")
        if not FAILURES:
            for path in workflows:
                try:
                    run_workflow(path, machine)
                except Exception as e:  # a broken world is a failure, with its cause
                    fail(f"{os.path.basename(path)}: {e}")
    finally:
        shutil.rmtree(shared, ignore_errors=True)
    print(f"run_workflows: {time.monotonic() - started:.0f} s")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
