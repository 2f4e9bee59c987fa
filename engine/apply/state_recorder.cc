#include "engine/apply/state_recorder.h"

namespace certform::engine {

Status StateRecorder::Record(const JournalRecord& record, const State& state) {
  Status s = backend_.AppendJournal(record);
  if (!s.ok())
    return s.WithContext("cannot record the call in the journal of " + backend_.Describe());
  if (++since_checkpoint_ < checkpoint_every_) return Status::OK();
  // The record is durable in the journal; a checkpoint that fails loses nothing (the journal keeps
  // every record until a state write succeeds), so it is not reported as a lost record.
  State copy = state;
  checkpoint_error_ = Finish(&copy);
  return Status::OK();
}

Status StateRecorder::Finish(State* state) {
  Status s = backend_.Write(on_disk_, state, random_);
  if (!s.ok()) return s;  // the journal still holds every record: nothing is lost
  on_disk_ = *state;
  since_checkpoint_ = 0;
  return backend_.ClearJournal();
}

}  // namespace certform::engine
