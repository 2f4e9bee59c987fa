#include "cmd/certform/workspace.h"

#include "engine/certificate_resolver.h"
#include "engine/config_loader.h"
#include "engine/journal.h"
#include "engine/local_state_backend.h"

#include <unistd.h>

namespace certform::cli {

engine::Config LoadCheckedConfig(const CommonOptions& common, Context& ctx,
                                 engine::Diagnostics* diags) {
  engine::Config config = engine::LoadConfig(ctx.fs, common.config_dir, diags);
  engine::ResolveCertificates(&config, ctx.fs, ctx.env, ctx.clock.Now(), diags);
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
  return backend.Lock(holder, timeout, ctx.clock, lock);
}

engine::Status OpenStateBackend(const CommonOptions& common, Context& ctx,
                                std::unique_ptr<engine::StateBackend>* backend) {
  *backend = std::make_unique<engine::LocalStateBackend>(ctx.fs, common.StatePath());
  return engine::Status::OK();
}

}  // namespace certform::cli
