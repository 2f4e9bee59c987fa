// A temporary directory removed with everything in it when the test ends.
#pragma once

#include <string>

namespace certform::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Path(const std::string& name) const { return path_ + "/" + name; }
  // Writes `contents` to `name` (creating parent directories) and returns the full path.
  std::string Write(const std::string& name, const std::string& contents, int mode = 0644) const;
  std::string Read(const std::string& name) const;
  bool Exists(const std::string& name) const;

 private:
  std::string path_;
};

// Mode bits (e.g. 0600) of a file.
int FileMode(const std::string& path);

}  // namespace certform::testing
