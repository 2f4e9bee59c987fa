#include "engine/plan/plan.h"

#include <algorithm>

namespace certform::engine {

const char* ActionName(Action a) {
  switch (a) {
    case Action::kNoOp:
      return "no-op";
    case Action::kCreate:
      return "create";
    case Action::kUpdate:
      return "update";
    case Action::kDelete:
      return "delete";
    case Action::kForget:
      return "forget";
    case Action::kRename:
      return "rename";
  }
  return "unknown";
}

bool CallsProvider(Action a) {
  return a != Action::kNoOp && a != Action::kForget && a != Action::kRename;
}

PlanSummary Plan::Summary() const {
  PlanSummary s;
  s.upload = static_cast<int>(uploads.size());
  for (const Change& c : changes) {
    switch (c.action) {
      case Action::kNoOp:
        ++s.unchanged;
        break;
      case Action::kCreate:
        ++s.create;
        break;
      case Action::kUpdate:
        ++s.update;
        break;
      case Action::kDelete:
        ++s.remove;
        break;
      case Action::kForget:
        ++s.forget;
        break;
      case Action::kRename:
        ++s.rename;
        break;
    }
    if (!c.moved_from.empty()) ++s.move;
  }
  return s;
}

bool Plan::HasChanges() const {
  return !uploads.empty() || std::any_of(changes.begin(), changes.end(),
                                         [](const Change& c) { return c.action != Action::kNoOp; });
}

}  // namespace certform::engine
