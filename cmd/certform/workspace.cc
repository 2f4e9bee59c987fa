#include "cmd/certform/workspace.h"

#include "engine/certificate_resolver.h"
#include "engine/config_loader.h"
#include "engine/journal.h"

#include <unistd.h>

namespace certform::cli {

engine::Config LoadCheckedConfig(const CommonOptions& common, Context& ctx,
                                 engine::Diagnostics* diags) {
  engine::Config config = engine::LoadConfig(ctx.fs, common.config_dir, diags);
  engine::ResolveCertificates(&config, ctx.fs, ctx.env, ctx.clock.Now(), diags);
  diags->Sort();
  return config;
}

engine::Status LoadState(Context& ctx, engine::StateStore& store, engine::State* state,
                         int* replayed) {
  engine::Status s = store.Load(state);
  if (!s.ok()) return s;
  engine::Journal journal(ctx.fs, store.journal_path());
  return journal.Replay(state, replayed);
}

engine::Status LoadStateForWrite(Context& ctx, engine::StateStore& store, engine::State* on_disk,
                                 int* replayed) {
  engine::State prior;
  engine::Status s = store.Load(&prior);
  if (!s.ok()) return s;
  engine::Journal journal(ctx.fs, store.journal_path());
  engine::State next = prior;
  s = journal.Replay(&next, replayed);
  if (!s.ok()) return s;
  if (*replayed > 0 || journal.Exists()) {
    s = store.Write(prior, &next, ctx.random);
    if (!s.ok()) return s;
    s = journal.Clear();
    if (!s.ok()) return s;
  }
  *on_disk = next;
  return engine::Status::OK();
}

engine::Status LoadStateForPlan(Context& ctx, engine::StateStore& store,
                                engine::Clock::Duration lock_timeout, engine::State* state) {
  if (!ctx.fs.Exists(store.journal_path())) return store.Load(state);
  std::unique_ptr<engine::StateLock> lock;
  engine::Status s =
      LockState(ctx, store, "certform plan (recovering a journal)", lock_timeout, &lock);
  int replayed = 0;
  return s.ok() ? LoadStateForWrite(ctx, store, state, &replayed) : s;
}

engine::Status LockState(Context& ctx, engine::StateStore& store, const std::string& command,
                         engine::Clock::Duration timeout,
                         std::unique_ptr<engine::StateLock>* lock) {
  char host[256] = "unknown";
  gethostname(host, sizeof host - 1);
  engine::LockHolder holder{static_cast<int>(getpid()), host, command,
                            engine::FormatUtc(engine::ToUnixSeconds(ctx.clock.Now()))};
  return engine::StateLock::Acquire(store.lock_path(), holder, timeout, ctx.clock, lock);
}

}  // namespace certform::cli
