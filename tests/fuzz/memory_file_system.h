// An in-memory FileSystem for fuzz targets: no disk I/O per input.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/base/file_system.h"

namespace certform::fuzz {

class MemoryFileSystem final : public engine::FileSystem {
 public:
  std::map<std::string, std::string> files;

  engine::Status ReadFile(const std::string& path, std::string* contents) override {
    auto it = files.find(path);
    if (it == files.end()) return engine::Status::NotFound(path);
    *contents = it->second;
    return engine::Status::OK();
  }
  engine::Status WriteFileAtomic(const std::string& path, const std::string& contents,
                                 int) override {
    files[path] = contents;
    return engine::Status::OK();
  }
  engine::Status AppendDurable(const std::string& path, const std::string& data, int) override {
    files[path] += data;
    return engine::Status::OK();
  }
  bool Exists(const std::string& path) override { return files.count(path) > 0; }
  engine::Status Stat(const std::string& path, engine::FileInfo* info) override {
    auto it = files.find(path);
    if (it == files.end()) return engine::Status::NotFound(path);
    *info = {0600, static_cast<int64_t>(it->second.size()), true};
    return engine::Status::OK();
  }
  engine::Status Remove(const std::string& path) override {
    files.erase(path);
    return engine::Status::OK();
  }
  engine::Status ListFiles(const std::string& dir, const std::string& suffix,
                           std::vector<std::string>* names) override {
    names->clear();
    for (const auto& [path, c] : files) {
      if (path.rfind(dir + "/", 0) == 0 && path.size() >= suffix.size() &&
          path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) {
        names->push_back(path.substr(dir.size() + 1));
      }
    }
    return engine::Status::OK();
  }
};

}  // namespace certform::fuzz
