// Which server process owns the holds it takes, and whether the owner of old holds is still
// running. Each `serve` process claims a random instance id and keeps an exclusive lock
// (flock) on `<dir>/<id>.lock` for as long as it lives; the kernel drops the lock when the
// process ends in any way, kill -9 included. So at start-up a process can release at once the
// holds of every owner whose lock is free (its requests never finished), and leave alone those of
// a process still serving from the same database on this machine.
#pragma once

#include <optional>
#include <string>

#include "common/result.h"
#include "store/owners.h"

namespace turnpike::app {

class HoldOwner {
 public:
  // Claims a fresh id under `dir` (created if missing). Errors name the file.
  static Result<HoldOwner> Claim(const std::string& dir);
  // True when a running process holds the lock of `id` under `dir`.
  static bool Running(const std::string& dir, const std::string& id);
  // Removes the lock file of an owner that is gone (best effort).
  static void Forget(const std::string& dir, const std::string& id);

  HoldOwner(HoldOwner&& other) noexcept;
  HoldOwner& operator=(HoldOwner&&) = delete;
  ~HoldOwner();  // unlocks and removes the file

  const std::string& id() const { return id_; }

 private:
  HoldOwner(std::string path, std::string id, int fd) : path_(std::move(path)), id_(std::move(id)), fd_(fd) {}

  std::string path_;
  std::string id_;
  int fd_ = -1;
};

// The owner registry on lock files under one directory (store/owners.h). A free lock is final, so
// the grace is zero; Keep has nothing to do. Thread-safe as HoldOwner's static calls are; Claim
// once, before the other calls.
class FileOwnerRegistry final : public store::OwnerRegistry {
 public:
  explicit FileOwnerRegistry(std::string dir) : dir_(std::move(dir)) {}

  Result<std::string> Claim() override;
  Result<bool> Running(const std::string& id) override;
  void Forget(const std::string& id) override { HoldOwner::Forget(dir_, id); }
  Claimed Keep() override { return Claimed::kHeld; }
  std::chrono::milliseconds grace() const override { return std::chrono::milliseconds(0); }

 private:
  const std::string dir_;
  std::optional<HoldOwner> owner_;
};

}  // namespace turnpike::app
