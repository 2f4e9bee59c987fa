// FileSystem: the file operations that config loading, the state store and the plan file need.
//
// An interface so that tests can inject faults (a failing rename, a full disk) around the real
// PosixFileSystem, which main() creates.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/status.h"

namespace certform::engine {

struct FileInfo {
  int mode = 0;             // permission bits, e.g. 0600
  int64_t size = 0;         // bytes
  bool is_regular = false;  // after following symbolic links
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Reads the whole file. NotFound when it does not exist, IoError otherwise.
  virtual Status ReadFile(const std::string& path, std::string* contents) = 0;

  // Reads the whole of `path` when it is a regular file (after following symbolic links) of at
  // most `max_bytes`: NotFound when it does not exist; InvalidArgument naming the file when it is
  // not a regular file (a FIFO, a device, a directory) or is larger, even when it grows while
  // being read. Never blocks on a FIFO and never holds more than `max_bytes` + 1 bytes. The
  // default checks Stat, then reads with ReadFile (for fakes); PosixFileSystem checks the file
  // it opened.
  virtual Status ReadRegularFile(const std::string& path, int64_t max_bytes, std::string* contents);

  // Replaces `path` atomically with `contents` and the given mode: writes a temporary file in the
  // same directory, fsyncs it, renames it over `path`, fsyncs the directory. On failure `path` is
  // untouched and the temporary file is removed. When `path` is a symbolic link, the file it
  // points to is replaced (as editors do) and the link stays.
  virtual Status WriteFileAtomic(const std::string& path, const std::string& contents,
                                 int mode) = 0;

  // Creates `path` with `contents` and the given mode, never replacing anything: AlreadyExists
  // naming the file when a file, directory or link of that name is there. The default checks
  // Exists, then writes with WriteFileAtomic (for fakes); PosixFileSystem writes a temporary file
  // and links it to `path`, which fails when the name is taken, even by a file made meanwhile.
  virtual Status CreateNewFile(const std::string& path, const std::string& contents, int mode);

  // Appends `data` and fsyncs before returning, creating the file with `mode` if needed.
  virtual Status AppendDurable(const std::string& path, const std::string& data, int mode) = 0;

  virtual bool Exists(const std::string& path) = 0;
  // Facts about the file `path` names (following symbolic links). NotFound when there is none.
  virtual Status Stat(const std::string& path, FileInfo* info) = 0;
  virtual Status Remove(const std::string& path) = 0;

  // Names (not paths) of the regular files in `dir` whose names end in `suffix`, sorted.
  virtual Status ListFiles(const std::string& dir, const std::string& suffix,
                           std::vector<std::string>* names) = 0;
};

// The real thing, on POSIX calls.
class PosixFileSystem final : public FileSystem {
 public:
  Status ReadFile(const std::string& path, std::string* contents) override;
  Status CreateNewFile(const std::string& path, const std::string& contents, int mode) override;
  Status ReadRegularFile(const std::string& path, int64_t max_bytes,
                         std::string* contents) override;
  Status WriteFileAtomic(const std::string& path, const std::string& contents, int mode) override;
  Status AppendDurable(const std::string& path, const std::string& data, int mode) override;
  bool Exists(const std::string& path) override;
  Status Stat(const std::string& path, FileInfo* info) override;
  Status Remove(const std::string& path) override;
  Status ListFiles(const std::string& dir, const std::string& suffix,
                   std::vector<std::string>* names) override;
};

// Reads `path` like FileSystem::ReadFile, refusing (InvalidArgument) a file larger than
// `max_bytes` or one that is not a regular file, so that hostile input cannot exhaust memory or
// hang a read (FileSystem::ReadRegularFile). Every file certform reads that is not its own
// output goes through it.
Status ReadBoundedFile(FileSystem& fs, const std::string& path, int64_t max_bytes,
                       std::string* contents);

// Directory part of a path ("." when there is none) and the joining of two parts.
std::string DirName(const std::string& path);
std::string JoinPath(const std::string& dir, const std::string& name);

}  // namespace certform::engine
