#!/usr/bin/env python3
"""Runs the shipped CI examples (examples/ci/*.yml) the way GitHub Actions would, against the
bundled emulator, so that they cannot rot again (issue 17, point 1).

For each workflow file:
  - it must parse as YAML, and pass the static rules GitHub users got hurt by: a step whose exit
    code passes through a pipe runs with `shell: bash` (pipefail); a job that comments on a pull
    request may write pull requests; a job that pushes may write contents;
  - a throwaway git repository (a bare "origin" and clones of it) holds a configuration for the
    emulator, and the workflow's jobs run for the events they answer, in the order a team meets
    them: pull request #7 (plan), its merge (apply), the nightly schedule (drift, clean), the
    nightly schedule after someone changed a binding by hand (drift must fail), pull request #8
    and its merge (a second apply: the state commit now has a backup, and the plan applied is
    #8's, not the newest artifact's);
  - every `run:` step runs in order with GitHub's shells (`bash -e` by default, `bash -eo
    pipefail` with `shell: bash`), its ${{ }} expressions, GITHUB_OUTPUT and GITHUB_PATH. The
    `uses:` steps are played by small fakes: checkout (a clone), cache (a miss), upload-artifact
    (a directory per artifact name); `gh` is a fake that records comments, finds the merged pull
    request of a commit and downloads artifacts by name;
  - the install step (id install-certform) is checked for the documented source build, and then
    installs the certform binary built by this checkout instead of building it again;
  - a workflow that keeps its state in PostgreSQL gets a real server started here, with the role,
    database and password its env names.
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

def lookup(ctx, name):
    value = ctx
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(name)
        value = value[part]
    return value


def evaluate(expr, ctx):
    """The expressions the examples use: names, 'literals', ==, !=, always()."""
    expr = expr.strip()
    if expr == "always()":
        return True
    for op in ("!=", "=="):
        if op in expr:
            left, right = (evaluate(p, ctx) for p in expr.split(op, 1))
            return (str(left) == str(right)) == (op == "==")
    if expr.startswith("'") and expr.endswith("'"):
        return expr[1:-1]
    return lookup(ctx, expr)


def substitute(text, ctx):
    def one(m):
        value = evaluate(m.group(1), ctx)
        return "" if value is None else str(value)
    return re.sub(r"\$\{\{(.*?)\}\}", one, str(text))


# --- static rules --------------------------------------------------------------------------------

def static_checks(name, wf):
    for job_name, job in wf["jobs"].items():
        perms = job.get("permissions", {})
        for step in job["steps"]:
            run = step.get("run", "")
            if re.search(r"[^|]\|[^|]", run) and step.get("shell") != "bash":
                fail(f"{name}: job {job_name}: step {step.get('name', run[:40])!r} pipes an exit "
                     "code without `shell: bash` (no pipefail)")
            if "gh pr comment" in run and perms.get("pull-requests") != "write":
                fail(f"{name}: job {job_name} comments without pull-requests: write")
            if "git push" in run and perms.get("contents") != "write":
                fail(f"{name}: job {job_name} pushes without contents: write")
            if "ACTIONS_ID_TOKEN_REQUEST" in run and perms.get("id-token") != "write":
                fail(f"{name}: job {job_name} asks for an OIDC token without id-token: write")


# --- the world the jobs run in -------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class World:
    def __init__(self, tmp, wf):
        self.tmp = tmp
        self.wf = wf
        self.artifacts = os.path.join(tmp, "artifacts")
        self.comments = os.path.join(tmp, "comments")
        self.merged = {}  # commit sha -> pull request number
        os.makedirs(self.artifacts)
        os.makedirs(self.comments)
        self.secrets = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "ci-key-id",
                        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "ci-secret-" + str(os.getpid())}
        # GitHub's OIDC token for the job, and the RAM role that trusts it (AssumeRoleWithOIDC).
        self.oidc_token = "gh-oidc-" + str(os.getpid())
        self.vars = {"ALIBABA_CLOUD_ROLE_ARN": "acs:ram::1234:role/certform-ci",
                     "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": "acs:ram::1234:oidc-provider/github",
                     "ALIBABA_CLOUD_OIDC_AUDIENCE": "sts.example"}
        self.start_token_service()
        self.start_emulator()
        self.pg = None
        env = wf.get("env", {})
        if "PGHOST" in env:
            self.start_postgres(env)
        self.make_repository()

    # The CDN API, as the workflow's certform sees it.
    def start_emulator(self):
        domains = ["www.example.com", "img.example.com", "new.example.com", "legacy.example.com"]
        config = {"accounts": [{"access_key_id": self.secrets["ALIBABA_CLOUD_ACCESS_KEY_ID"],
                                "access_key_secret": self.secrets["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
                                "user": "ci"}],
                  "roles": [{"arn": self.vars["ALIBABA_CLOUD_ROLE_ARN"], "user": "ci",
                             "oidc_provider_arn": self.vars["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"],
                             "oidc_token": self.oidc_token}],
                  "domains": domains}
        path = os.path.join(self.tmp, "emulator.json")
        with open(path, "w") as f:
            json.dump(config, f)
        port_file = os.path.join(self.tmp, "port")
        self.emulator = subprocess.Popen([EMULATOR, "--config", path, "--port", "0",
                                          "--port-file", port_file],
                                         stderr=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.05)
        self.endpoint = "http://127.0.0.1:" + open(port_file).read().strip()

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
        certform with a configuration and state of its own)."""
        other = tempfile.mkdtemp(dir=self.tmp, prefix="by-hand-")
        with open(os.path.join(other, "certform.toml"), "w") as f:
            f.write(f'[account.main]\nendpoint = "{self.endpoint}"\n\n'
                    f'[[binding]]\nhttps = false\ndomains = ["{domain}"]\n')
        env = dict(os.environ, **self.secrets)
        sh([CERTFORM, "apply", "--auto-approve", "--config", other], env=env)

    # A PostgreSQL server with the role, database and password the workflow's env names.
    def start_postgres(self, env):
        initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not initdb:
            raise RuntimeError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)")
        bindir = os.path.dirname(initdb[-1])
        pgdir = os.path.join(self.tmp, "pg")
        os.makedirs(pgdir)
        prefix = []
        if os.geteuid() == 0:
            shutil.chown(pgdir, "postgres", "postgres")
            os.chmod(self.tmp, 0o755)
            prefix = ["runuser", "-u", "postgres", "--"]
        port = free_port()
        sh(prefix + [f"{bindir}/initdb", "-D", f"{pgdir}/data", "-U", "postgres",
                     "--auth=trust"])
        sh(prefix + [f"{bindir}/pg_ctl", "-D", f"{pgdir}/data", "-l", f"{pgdir}/log", "-w",
                     "-o", f"-k {pgdir} -p {port} -h 127.0.0.1", "start"])
        self.pg = (prefix, bindir, pgdir)
        password = "pg-" + str(os.getpid())
        user, database = env["PGUSER"], env["PGDATABASE"]
        psql = [f"{bindir}/psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-q",
                "-v", "ON_ERROR_STOP=1"]
        sh(psql + ["-c", f"CREATE ROLE {user} LOGIN PASSWORD '{password}'"])
        sh(psql + ["-c", f"CREATE DATABASE {database} OWNER {user}"])
        self.secrets.update({"CERTFORM_PGHOST": "127.0.0.1", "CERTFORM_PGPORT": str(port),
                             "CERTFORM_PGPASSWORD": password})
        self.vars["CERTFORM_PGSSLMODE"] = "disable"  # this server has no TLS

    def stop(self):
        self.token_server.shutdown()
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
        state = ""
        if "PGHOST" in self.wf.get("env", {}):
            state = '\n[state]\nbackend = "postgres"\nworkspace = "production"\n'
        self.write_config(seed, ["www.example.com"], state)
        sh("git add -A && git commit -q -m 'certform configuration' && git push -q origin main",
           cwd=seed)
        self.seed = seed
        self.state_table = state

    def write_config(self, repo, domains, state):
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
{state}""")

    def git_identity(self, repo):
        sh(["git", "config", "user.name", "test"], cwd=repo)
        sh(["git", "config", "user.email", "test@example.com"], cwd=repo)

    # A pull request: a branch on origin changing certform.toml.
    def open_pull_request(self, number, domains):
        sh(["git", "checkout", "-q", "-B", f"pr{number}", "origin/main"], cwd=self.seed)
        sh(["git", "pull", "-q", "origin", "main"], cwd=self.seed)
        self.write_config(self.seed, domains, self.state_table)
        sh(f"git commit -q -am 'pull request {number}' && git push -q origin pr{number}",
           cwd=self.seed)
        return f"pr{number}"

    def merge(self, number):
        sh(["git", "fetch", "-q", "origin"], cwd=self.seed)
        sh(["git", "checkout", "-q", "-B", "main", "origin/main"], cwd=self.seed)
        sh(["git", "merge", "-q", "--no-ff", "-m", f"Merge pull request #{number}",
            f"origin/pr{number}"], cwd=self.seed)
        sh(["git", "push", "-q", "origin", "main"], cwd=self.seed)
        sha = sh(["git", "rev-parse", "HEAD"], cwd=self.seed).stdout.strip()
        self.merged[sha] = number
        return sha

    def fake_gh(self, bindir):
        script = f"""#!/usr/bin/env python3
import json, os, shutil, sys
a = sys.argv[1:]
if a[:2] == ["pr", "comment"]:
    n, body = a[2], a[a.index("--body-file") + 1]
    shutil.copy(body, os.path.join({self.comments!r}, n + ".md"))
elif a[:2] == ["pr", "list"]:
    merged = json.loads({json.dumps(json.dumps(self.merged))})
    sha = a[a.index("--search") + 1]
    print(merged.get(sha, ""))
elif a[:2] == ["run", "download"]:
    src = os.path.join({self.artifacts!r}, a[a.index("--name") + 1])
    if not os.path.isdir(src):
        sys.exit("no artifact " + a[a.index("--name") + 1])
    for f in os.listdir(src):
        shutil.copy(os.path.join(src, f), f)
else:
    sys.exit("fake gh: unsupported " + " ".join(a))
"""
        path = os.path.join(bindir, "gh")
        with open(path, "w") as f:
            f.write(script)
        os.chmod(path, 0o755)

    # --- one job ---------------------------------------------------------------------------------
    def run_job(self, job_name, event, ref, sha, pr_number=None):
        job = self.wf["jobs"][job_name]
        home = tempfile.mkdtemp(dir=self.tmp, prefix=f"{job_name}-home-")
        work = os.path.join(home, "work")
        bindir = os.path.join(home, "fakebin")
        os.makedirs(bindir)
        self.fake_gh(bindir)
        ctx = {"github": {"event_name": event, "sha": sha, "token": "gh-token",
                          "event": {"pull_request": {"number": pr_number}, "number": pr_number}},
               "secrets": self.secrets, "vars": self.vars, "runner": {"os": "Linux"},
               "steps": {}, "env": {}}
        if not evaluate(job.get("if", "always()"), ctx):
            return None
        env = {}
        for scope in (self.wf.get("env", {}), job.get("env", {})):
            for k, v in scope.items():
                env[k] = substitute(v, {**ctx, "env": env})
        paths = [bindir]
        os.makedirs(os.path.join(home, "tmp"))
        # GitHub offers the job an OIDC token only with id-token: write.
        if job.get("permissions", {}).get("id-token") == "write":
            env.update({"ACTIONS_ID_TOKEN_REQUEST_URL": self.token_url,
                        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": self.request_token})
        ok = True
        log = []
        for step in job["steps"]:
            ctx["env"] = env
            cond = step.get("if")
            if cond is not None:
                cond = cond.strip()
                if cond.startswith("${{"):
                    cond = cond[3:-2]
                if not evaluate(cond, ctx):
                    continue
                if not ok and cond != "always()":
                    continue
            elif not ok:
                continue
            if "uses" in step:
                ok = self.run_action(step, ctx, work, ref) and ok
                continue
            step_env = dict(os.environ)
            step_env.update({"HOME": home, "RUNNER_TEMP": os.path.join(home, "tmp"),
                             "GITHUB_SHA": sha, "CI": "true"})
            step_env.update(env)
            for k, v in step.get("env", {}).items():
                step_env[k] = substitute(v, ctx)
            step_env["PATH"] = ":".join(reversed(paths)) + ":/usr/bin:/bin"
            output = os.path.join(home, "output")
            path_file = os.path.join(home, "path")
            env_file = os.path.join(home, "env")
            for f in (output, path_file, env_file):
                open(f, "w").close()
            step_env["GITHUB_OUTPUT"], step_env["GITHUB_PATH"] = output, path_file
            step_env["GITHUB_ENV"] = env_file
            script = substitute(step["run"], ctx)
            if step.get("id") == "install-certform":
                for needed in ("cmake -S", "cmake --build", "--target certform", "install -D"):
                    if needed not in script:
                        fail(f"job {job_name}: the install step lacks {needed!r}")
                os.makedirs(os.path.join(home, ".local", "bin"), exist_ok=True)
                shutil.copy(CERTFORM, os.path.join(home, ".local", "bin", "certform"))
                continue
            shell = (["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]
                     if step.get("shell") == "bash" else ["bash", "-e", "-c"])
            r = subprocess.run(shell + [script], cwd=work, env=step_env, text=True,
                               capture_output=True)
            log.append(f"$ {step.get('name', script[:60])} -> {r.returncode}\n{r.stdout}{r.stderr}")
            if r.returncode != 0:
                ok = False
            outputs = {}
            for line in open(output):
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    outputs[k] = v
            if step.get("id"):
                ctx["steps"][step["id"]] = {"outputs": outputs}
            for line in open(path_file):
                if line.strip():
                    paths.append(line.strip())
            for line in open(env_file):  # KEY=VALUE lines, for the job's later steps
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    env[k] = v
        self.last_log = "\n".join(log)
        return ok

    def run_action(self, step, ctx, work, ref):
        action = step["uses"].split("@")[0]
        with_ = {k: substitute(v, ctx) for k, v in step.get("with", {}).items()}
        if action == "actions/checkout":
            sh(["git", "clone", "-q", "--branch", ref, self.origin, work])
            self.git_identity(work)
            return True
        if action == "actions/cache":
            ctx["steps"][step["id"]] = {"outputs": {"cache-hit": "false"}}
            return True
        if action == "actions/upload-artifact":
            dest = os.path.join(self.artifacts, with_["name"])
            os.makedirs(dest, exist_ok=True)
            src = os.path.join(work, with_["path"])
            if not os.path.exists(src):
                return False
            shutil.copy(src, dest)
            return True
        fail(f"unknown action {action}: teach tests/ci/run_workflows.py to play it")
        return False


def expect(cond, what, world):
    if not cond:
        fail(what + "\n" + getattr(world, "last_log", ""))


def run_workflow(path):
    name = os.path.basename(path)
    with open(path) as f:
        wf = yaml.safe_load(f)
    static_checks(name, wf)
    tmp = tempfile.mkdtemp(prefix="certform-workflow-")
    world = World(tmp, wf)
    try:
        # Pull request #7 binds two domains: plan (no key), comment, artifact.
        ref = world.open_pull_request(7, ["www.example.com", "img.example.com"])
        ok = world.run_job("plan", "pull_request", ref, "pr7-head", 7)
        expect(ok, f"{name}: plan job failed on pull request #7", world)
        comment = os.path.join(world.comments, "7.md")
        expect(os.path.exists(comment) and "www.example.com" in open(comment).read(),
               f"{name}: no plan comment on #7", world)
        # Merged: apply exactly #7's plan.
        sha = world.merge(7)
        ok = world.run_job("apply", "push", "main", sha)
        expect(ok, f"{name}: apply job failed after merging #7", world)
        live = world.live()
        expect(all(live[d]["https"] for d in ("www.example.com", "img.example.com")),
               f"{name}: the live CDN does not serve the certificate after apply", world)
        # Nightly drift: clean, then after a change by hand it must fail the job.
        expect(world.run_job("drift", "schedule", "main", sha) is True,
               f"{name}: drift failed with nothing changed", world)
        world.unbind_by_hand("img.example.com")
        expect(world.run_job("drift", "schedule", "main", sha) is False,
               f"{name}: drift passed although img.example.com was changed by hand", world)
        # Pull request #8 adds a domain; #9 is opened later (its artifact is newer) but not merged.
        ref8 = world.open_pull_request(8, ["www.example.com", "img.example.com", "new.example.com"])
        expect(world.run_job("plan", "pull_request", ref8, "pr8-head", 8),
               f"{name}: plan job failed on #8", world)
        sha8 = world.merge(8)
        ref9 = world.open_pull_request(9, ["www.example.com"])
        expect(world.run_job("plan", "pull_request", ref9, "pr9-head", 9),
               f"{name}: plan job failed on #9", world)
        world.unbind_by_hand("new.example.com")  # a fresh domain, not yet served
        ok = world.run_job("apply", "push", "main", sha8)
        expect(ok, f"{name}: apply job failed after merging #8", world)
        live = world.live()
        expect(live["new.example.com"]["https"] and live["www.example.com"]["https"],
               f"{name}: #8's plan was not the one applied", world)
        if "ALIBABA_CLOUD_ROLE_ARN" in wf.get("env", {}):
            calls = world.counters()["calls"]
            expect(calls.get("AssumeRoleWithOIDC", {}).get("anonymous", 0) >= 3,
                   f"{name}: the jobs did not sign in with OIDC (calls: {calls})", world)
        if "PGHOST" not in wf.get("env", {}):
            check = os.path.join(tmp, "check")
            sh(["git", "clone", "-q", world.origin, check])
            expect(os.path.exists(os.path.join(check, "certform.state.json")) and
                   os.path.exists(os.path.join(check, "certform.state.json.backup")),
                   f"{name}: the state (and, after the second apply, its backup) is not "
                   "committed", world)
    finally:
        world.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{name}: {'FAILED' if FAILURES else 'ok'}")


def main():
    workflows = sorted(glob.glob(os.path.join(ROOT, "examples", "ci", "*.yml")))
    if not workflows:
        fail("no workflows in examples/ci")
    for path in workflows:
        try:
            run_workflow(path)
        except Exception as e:  # a broken world is a failure, with its cause
            fail(f"{os.path.basename(path)}: {e}")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
