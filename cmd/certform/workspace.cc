#include "cmd/certform/workspace.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

#include "engine/base/suggest.h"
#include "engine/config/certificate_resolver.h"
#include "engine/config/config_loader.h"
#include "engine/config/trusted_roots.h"
#include "engine/state/state_file.h"
#include "state/local/local_state_backend.h"
#include "state/postgres/postgres_state_backend.h"

namespace certform::cli {

engine::Config LoadConfigFiles(const std::string& config_dir, Context& ctx,
                               engine::Diagnostics* diags) {
  engine::Config config = engine::LoadConfig(ctx.fs, config_dir, diags);
  engine::StateSettings& state = config.state;
  if (std::string problem = pgstate::ConnStrProblem(state.conn_str); !problem.empty()) {
    const bool password = problem.find("password") != std::string::npos;
    diags->Error(state.conn_str_where, problem,
                 password ? "put it in PGPASSWORD, ~/.pgpass or a PGSERVICE file instead: certform "
                            "never writes a password into its configuration, state or output"
                          : "");
    state.conn_str.clear();
    state.valid = false;
  }
  return config;
}

engine::Config LoadCheckedConfig(const CommonOptions& common, Context& ctx,
                                 engine::Diagnostics* diags, engine::KeyPolicy keys) {
  engine::Config config = LoadConfigFiles(common.config_dir, ctx, diags);
  const std::unique_ptr<engine::TrustedRoots> roots = engine::SystemTrustedRoots();
  engine::ResolveCertificates(&config, ctx.fs, ctx.env, *roots, ctx.clock.Now(), diags, keys);
  diags->Sort();
  return config;
}

engine::Config LoadConfigForLive(const std::string& config_dir, Context& ctx,
                                 engine::Diagnostics* diags) {
  engine::Config config = LoadConfigFiles(config_dir, ctx, diags);
  engine::FingerprintCertificates(&config, ctx.fs);
  diags->Sort();
  return config;
}

engine::Status LoadState(Context&, engine::StateBackend& backend, engine::State* state,
                         int* replayed) {
  engine::Status s = backend.Load(state);
  if (!s.ok()) return s;
  return backend.ReplayJournal(state, replayed);
}

engine::Status LoadStateForWrite(Context& ctx, engine::StateBackend& backend,
                                 engine::State* on_disk, int* replayed) {
  engine::State prior;
  engine::Status s = backend.Load(&prior);
  if (!s.ok()) return s;
  engine::State next = prior;
  s = backend.ReplayJournal(&next, replayed);
  if (!s.ok()) return s;
  if (*replayed > 0 || backend.HasJournal()) {
    s = backend.Write(prior, &next, ctx.random);
    if (!s.ok()) return s;
    s = backend.ClearJournal();
    if (!s.ok()) return s;
  }
  *on_disk = next;
  return engine::Status::OK();
}

engine::Status LoadStateForPlan(Context& ctx, engine::StateBackend& backend,
                                engine::Clock::Duration lock_timeout, engine::State* state) {
  if (!backend.HasJournal()) return backend.Load(state);
  std::unique_ptr<engine::StateBackendLock> lock;
  engine::Status s =
      LockState(ctx, backend, "certform plan (recovering a journal)", lock_timeout, &lock);
  int replayed = 0;
  return s.ok() ? LoadStateForWrite(ctx, backend, state, &replayed) : s;
}

engine::Status LockState(Context& ctx, engine::StateBackend& backend, const std::string& command,
                         engine::Clock::Duration timeout,
                         std::unique_ptr<engine::StateBackendLock>* lock) {
  char host[256] = "unknown";
  gethostname(host, sizeof host - 1);
  engine::LockHolder holder{static_cast<int>(getpid()), host, command,
                            engine::FormatUtc(engine::ToUnixSeconds(ctx.clock.Now()))};
  return backend.Lock(holder, timeout, ctx.clock, lock, [&](const std::string& who) {
    fmt::print(ctx.err, "Waiting for the state lock of {}, held by {}...\n", backend.Describe(),
               who);
  });
}

engine::Status OpenStateBackend(const CommonOptions& common, Context& ctx,
                                std::unique_ptr<engine::StateBackend>* backend) {
  engine::Diagnostics ignored;  // the commands report the configuration's problems themselves
  return OpenStateBackend(common, LoadConfigFiles(common.config_dir, ctx, &ignored).state, ctx,
                          backend);
}

engine::Status LocalStatePath(const CommonOptions& common, std::string* path) {
  if (common.workspace.empty() || common.workspace == "default") {
    *path = common.StatePath();
    return engine::Status::OK();
  }
  if (!common.state_path.empty()) {
    return engine::Status::InvalidArgument(
        "--state names the state file and --workspace (or CERTFORM_WORKSPACE) names another "
        "workspace's: use one or the other");
  }
  // The name becomes part of a file name: letters, digits, '.', '_' and '-' only, not first a '.'.
  const std::string& w = common.workspace;
  const bool safe =
      w.front() != '.' && std::all_of(w.begin(), w.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
      });
  if (!safe) {
    return engine::Status::InvalidArgument(
        "a workspace of a local state names its file (certform.NAME.state.json): use letters, "
        "digits, '.', '_' and '-' only, not starting with '.'");
  }
  *path = engine::JoinPath(common.config_dir, "certform." + w + ".state.json");
  return engine::Status::OK();
}

engine::Status OpenStateBackend(const CommonOptions& common, const engine::StateSettings& settings,
                                Context& ctx, std::unique_ptr<engine::StateBackend>* backend) {
  if (!settings.valid) {
    return engine::Status::InvalidArgument(
        "the [state] table of the configuration is not valid (run \"certform validate\")");
  }
  if (settings.backend != "postgres") {
    std::string path;
    if (engine::Status s = LocalStatePath(common, &path); !s.ok()) return s;
    *backend = std::make_unique<engine::LocalStateBackend>(ctx.fs, path);
    return engine::Status::OK();
  }
  if (!common.state_path.empty()) {
    return engine::Status::InvalidArgument(
        "--state names a local state file, but the configuration keeps the state in PostgreSQL "
        "([state] backend = \"postgres\"); use one or the other (\"certform state pull\" copies "
        "a workspace into a file)");
  }
  // The environment never overrides a workspace the configuration names: a variable left set by
  // another job would plan against another state (and its removals). --workspace does.
  if (common.workspace_from_env && settings.workspace_set &&
      common.workspace != settings.workspace) {
    return engine::Status::InvalidArgument(fmt::format(
        "CERTFORM_WORKSPACE is {} but [state] workspace is {}: the configuration names its "
        "workspace, and a variable does not override it (pass --workspace to choose another, or "
        "unset the variable)",
        engine::Quoted(common.workspace), engine::Quoted(settings.workspace)));
  }
  std::unique_ptr<pgstate::PostgresStateBackend> pg;
  engine::Status s = pgstate::PostgresStateBackend::Open(
      {settings.conn_str, settings.schema,
       common.workspace.empty() ? settings.workspace : common.workspace, settings.history,
       settings.lock_lease},
      &pg);
  if (!s.ok()) return s;
  *backend = std::move(pg);
  return engine::Status::OK();
}

std::string UnknownTarget(const std::vector<std::string>& targets, const engine::Config& config,
                          const engine::State& state) {
  std::set<std::string> known;
  for (const engine::DesiredBinding& b : config.bindings) known.insert(b.address.Key());
  for (const auto& [domain, e] : state.entries) known.insert(domain);
  for (const std::string& t : targets) {
    if (known.count(t)) continue;
    std::vector<std::pair<size_t, std::string>> ranked;
    for (const std::string& k : known) ranked.emplace_back(engine::EditDistance(t, k), k);
    std::sort(ranked.begin(), ranked.end());
    std::vector<std::string> closest;
    for (size_t i = 0; i < ranked.size() && i < 3; ++i) closest.push_back(ranked[i].second);
    return fmt::format(
        "--target {}: no binding in the configuration and no entry in the state has this "
        "domain{}",
        t,
        closest.empty() ? " (there are no domains at all)"
                        : fmt::format(" (closest: {})", fmt::join(closest, ", ")));
  }
  return "";
}

engine::Status Workspace::Open(const CommonOptions& common, const WorkspaceRequest& request,
                               Context& ctx) {
  stage_ = Stage::kConfig;
  switch (request.config) {
    case ConfigUse::kStateOnly: {
      engine::Diagnostics ignored;  // only [state] matters, and OpenStateBackend checks it
      config_ = LoadConfigFiles(common.config_dir, ctx, &ignored);
      break;
    }
    case ConfigUse::kLive:
      config_ = LoadConfigForLive(common.config_dir, ctx, &diags_);
      break;
    case ConfigUse::kPlan:
      config_ = LoadCheckedConfig(common, ctx, &diags_, engine::KeyPolicy::kWhenPresent);
      break;
    case ConfigUse::kApply:
      config_ = LoadCheckedConfig(common, ctx, &diags_, engine::KeyPolicy::kRequired);
      break;
  }
  if (diags_.HasErrors()) {
    return engine::Status::InvalidArgument("the configuration has errors");
  }
  stage_ = Stage::kBackend;
  engine::Status s = OpenStateBackend(common, config_.state, ctx, &backend_);
  if (!s.ok()) return s;
  switch (request.state) {
    case StateAccess::kRead:
      stage_ = Stage::kState;
      s = LoadState(ctx, *backend_, &state_, &replayed_);
      break;
    case StateAccess::kPlan:
      stage_ = Stage::kState;
      s = LoadStateForPlan(ctx, *backend_, request.lock_timeout, &state_);
      break;
    case StateAccess::kWrite:
      stage_ = Stage::kLock;
      s = LockState(ctx, *backend_, request.command, request.lock_timeout, &lock_);
      if (!s.ok()) return s;
      stage_ = Stage::kState;
      s = LoadStateForWrite(ctx, *backend_, &state_, &replayed_);
      break;
  }
  if (!s.ok()) return s;
  stage_ = Stage::kOpen;
  return engine::Status::OK();
}

}  // namespace certform::cli
