#include "app/hold_owner.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/crypto.h"

namespace turnpike::app {

namespace {

std::string LockPath(const std::string& dir, const std::string& id) {
  return (std::filesystem::path(dir) / (id + ".lock")).string();
}

// Instance ids are ours (hex); anything else found in the database is not a file name to use.
bool PlainId(const std::string& id) {
  return !id.empty() && id.size() <= 64 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

Result<HoldOwner> HoldOwner::Claim(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string id = crypto::RandomHex(12);
  std::string path = LockPath(dir, id);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return MakeError(ErrorCode::kInternal, "cannot create " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    return MakeError(ErrorCode::kInternal, "cannot lock " + path + ": " + std::strerror(err));
  }
  return HoldOwner(std::move(path), std::move(id), fd);
}

bool HoldOwner::Running(const std::string& dir, const std::string& id) {
  if (!PlainId(id)) return false;
  int fd = ::open(LockPath(dir, id).c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;  // no lock file: its process ended (or it never was on this machine)
  bool locked = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // releases our lock if we took it
  return locked;
}

void HoldOwner::Forget(const std::string& dir, const std::string& id) {
  if (!PlainId(id)) return;
  std::error_code ec;
  std::filesystem::remove(LockPath(dir, id), ec);
}

HoldOwner::HoldOwner(HoldOwner&& other) noexcept
    : path_(std::move(other.path_)), id_(std::move(other.id_)), fd_(other.fd_) {
  other.fd_ = -1;
}

Result<std::string> FileOwnerRegistry::Claim() {
  if (owner_) return MakeError(ErrorCode::kInternal, "an owner id is claimed already");
  auto claimed = HoldOwner::Claim(dir_);
  if (!claimed.ok()) return claimed.error();
  owner_.emplace(std::move(*claimed));
  return owner_->id();
}

Result<bool> FileOwnerRegistry::Running(const std::string& id) {
  if (owner_ && owner_->id() == id) return true;
  return HoldOwner::Running(dir_, id);
}

HoldOwner::~HoldOwner() {
  if (fd_ < 0) return;
  std::error_code ec;
  std::filesystem::remove(path_, ec);
  ::close(fd_);
}

}  // namespace turnpike::app
