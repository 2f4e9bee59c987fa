#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include "engine/base/file_system.h"

namespace certform::engine {

namespace {

Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  std::string msg = what + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(msg);
  if (err == EACCES || err == EPERM) return Status::PermissionDenied(msg);
  return Status::IoError(msg);
}

Status WriteAll(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write", path, errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus("cannot sync directory", dir, err);
  return Status::OK();
}

std::string TempName(const std::string& path) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, ".tmp%06llx",
                static_cast<unsigned long long>(rng() & 0xffffff));
  return path + suffix;
}

}  // namespace

Status PosixFileSystem::ReadFile(const std::string& path, std::string* contents) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot read", path, errno);
  contents->clear();
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return ErrnoStatus("cannot read", path, err);
    }
    if (n == 0) break;
    contents->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return Status::OK();
}

// Where a write to `link` lands: the file a chain of symbolic links ends at (relative targets
// resolved against the link's directory), or `link` itself when it is not a link.
std::string WriteTarget(std::string path) {
  for (int depth = 0; depth < 40; ++depth) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
    std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : 4096) + 1, '\0');
    const ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
    if (n <= 0 || static_cast<size_t>(n) >= target.size()) return path;
    target.resize(static_cast<size_t>(n));
    if (target.front() == '/') {
      path = std::move(target);
    } else {
      std::string joined = DirName(path);
      joined += '/';
      joined += target;
      path = std::move(joined);
    }
  }
  return path;
}

Status PosixFileSystem::WriteFileAtomic(const std::string& link, const std::string& contents,
                                        int mode) {
  // Through a symbolic link to its target, as editors do: the link stays a link.
  const std::string path = WriteTarget(link);
  const std::string tmp = TempName(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus("cannot create", tmp, errno);
  // The umask may have narrowed the mode; it must never widen it, and fchmod makes it exact.
  Status s = WriteAll(fd, contents, tmp);
  if (s.ok() && ::fchmod(fd, static_cast<mode_t>(mode)) != 0) {
    s = ErrnoStatus("cannot set mode of", tmp, errno);
  }
  if (s.ok() && ::fsync(fd) != 0) s = ErrnoStatus("cannot sync", tmp, errno);
  if (::close(fd) != 0 && s.ok()) s = ErrnoStatus("cannot close", tmp, errno);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    s = ErrnoStatus("cannot rename onto", path, errno);
  }
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  return SyncDirectory(DirName(path));
}

Status FileSystem::CreateNewFile(const std::string& path, const std::string& contents, int mode) {
  if (Exists(path)) return Status::AlreadyExists(path + " already exists");
  return WriteFileAtomic(path, contents, mode);
}

Status PosixFileSystem::CreateNewFile(const std::string& path, const std::string& contents,
                                      int mode) {
  const std::string tmp = TempName(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus("cannot create", tmp, errno);
  Status s = WriteAll(fd, contents, tmp);
  if (s.ok() && ::fchmod(fd, static_cast<mode_t>(mode)) != 0) {
    s = ErrnoStatus("cannot set mode of", tmp, errno);
  }
  if (s.ok() && ::fsync(fd) != 0) s = ErrnoStatus("cannot sync", tmp, errno);
  if (::close(fd) != 0 && s.ok()) s = ErrnoStatus("cannot close", tmp, errno);
  // link(2) never replaces: the name taken (by anything, a dangling link too) is EEXIST.
  if (s.ok() && ::link(tmp.c_str(), path.c_str()) != 0) {
    s = errno == EEXIST ? Status::AlreadyExists(path + " already exists")
                        : ErrnoStatus("cannot create", path, errno);
  }
  ::unlink(tmp.c_str());
  if (!s.ok()) return s;
  return SyncDirectory(DirName(path));
}

Status PosixFileSystem::AppendDurable(const std::string& path, const std::string& data, int mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus("cannot open", path, errno);
  Status s = WriteAll(fd, data, path);
  if (s.ok() && ::fdatasync(fd) != 0) s = ErrnoStatus("cannot sync", path, errno);
  ::close(fd);
  return s;
}

bool PosixFileSystem::Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Status PosixFileSystem::Stat(const std::string& path, FileInfo* info) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("cannot stat", path, errno);
  info->mode = static_cast<int>(st.st_mode & 07777);
  info->size = static_cast<int64_t>(st.st_size);
  info->is_regular = S_ISREG(st.st_mode);
  return Status::OK();
}

namespace {

std::string TooLarge(const std::string& path, int64_t size, int64_t max_bytes) {
  return path + " is too large (" +
         (size > max_bytes ? std::to_string(size) : "more than " + std::to_string(max_bytes)) +
         " bytes; at most " + std::to_string(max_bytes) + " are read)";
}

std::string KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "of another kind";
}

}  // namespace

Status FileSystem::ReadRegularFile(const std::string& path, int64_t max_bytes,
                                   std::string* contents) {
  FileInfo info;
  Status s = Stat(path, &info);
  if (!s.ok()) return s;
  if (!info.is_regular) return Status::InvalidArgument(path + " is not a regular file");
  if (info.size > max_bytes) return Status::InvalidArgument(TooLarge(path, info.size, max_bytes));
  s = ReadFile(path, contents);
  if (s.ok() && static_cast<int64_t>(contents->size()) > max_bytes) {
    contents->clear();
    return Status::InvalidArgument(TooLarge(path, max_bytes + 1, max_bytes));
  }
  return s;
}

Status PosixFileSystem::ReadRegularFile(const std::string& path, int64_t max_bytes,
                                        std::string* contents) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. The type is then
  // checked on what was opened (fstat), so a file swapped after a stat cannot slip through.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return ErrnoStatus("cannot read", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus("cannot stat", path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path + " is not a regular file (it is " + KindOf(st.st_mode) +
                                   "); certform reads only regular files");
  }
  if (st.st_size > max_bytes) {
    ::close(fd);
    return Status::InvalidArgument(TooLarge(path, static_cast<int64_t>(st.st_size), max_bytes));
  }
  contents->clear();
  char buf[64 * 1024];
  for (;;) {
    // At most one byte more than allowed: enough to know the file grew past the cap.
    const int64_t room = max_bytes + 1 - static_cast<int64_t>(contents->size());
    ssize_t n = ::read(fd, buf, static_cast<size_t>(std::min<int64_t>(room, sizeof buf)));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      contents->clear();
      return ErrnoStatus("cannot read", path, err);
    }
    if (n == 0) break;
    contents->append(buf, static_cast<size_t>(n));
    if (static_cast<int64_t>(contents->size()) > max_bytes) {
      ::close(fd);
      contents->clear();
      return Status::InvalidArgument(TooLarge(path, max_bytes + 1, max_bytes));
    }
  }
  ::close(fd);
  return Status::OK();
}

Status ReadBoundedFile(FileSystem& fs, const std::string& path, int64_t max_bytes,
                       std::string* contents) {
  return fs.ReadRegularFile(path, max_bytes, contents);
}

Status PosixFileSystem::Remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus("cannot remove", path, errno);
  }
  return Status::OK();
}

Status PosixFileSystem::ListFiles(const std::string& dir, const std::string& suffix,
                                  std::vector<std::string>* names) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoStatus("cannot list directory", dir, errno);
  names->clear();
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.size() < suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    struct stat st;
    if (::stat(JoinPath(dir, name).c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      names->push_back(name);
    }
  }
  ::closedir(d);
  std::sort(names->begin(), names->end());
  return Status::OK();
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (name.empty()) return dir;
  if (name.front() == '/' || dir.empty() || dir == ".") return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

}  // namespace certform::engine
