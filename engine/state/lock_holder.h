// LockHolder: who holds a state lock, as every backend records and reports it.
#pragma once

#include <string>

namespace certform::engine {

struct LockHolder {
  int pid = 0;
  std::string host;
  std::string command;  // e.g. "certform apply"
  std::string started;  // UTC

  std::string ToString() const;  // "pid 123 on host h running \"certform apply\" since ..."
};

}  // namespace certform::engine
