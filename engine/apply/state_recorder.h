// StateRecorder: the ApplyRecorder that certform uses: each record is appended to the backend's
// journal (durable) at once, and the state is rewritten every `checkpoint_every` records and by
// Finish(), after which the journal is cleared.
#pragma once

#include "engine/apply/applier.h"
#include "engine/base/random.h"
#include "engine/state/state_backend.h"

namespace certform::engine {

class StateRecorder final : public ApplyRecorder {
 public:
  // `on_disk` is the state as the state file holds it now.
  StateRecorder(StateBackend& backend, RandomSource& random, State on_disk,
                int checkpoint_every = 50)
      : backend_(backend),
        random_(random),
        on_disk_(std::move(on_disk)),
        checkpoint_every_(checkpoint_every) {}

  // Fails only when the record could not be made durable in the journal. A periodic checkpoint
  // that fails is remembered (checkpoint_error()) and tried again at the next one and by Finish().
  Status Record(const JournalRecord& record, const State& state) override;

  // Writes `state` to the state file (serial +1 if it changed) and clears the journal. On
  // success `state` holds what was written (lineage, serial).
  Status Finish(State* state);

  const State& on_disk() const { return on_disk_; }
  const Status& checkpoint_error() const { return checkpoint_error_; }

 private:
  StateBackend& backend_;
  RandomSource& random_;
  State on_disk_;
  int checkpoint_every_;
  int since_checkpoint_ = 0;
  Status checkpoint_error_;
};

}  // namespace certform::engine
