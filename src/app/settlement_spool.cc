#include "app/settlement_spool.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

namespace turnpike::app {
namespace {

std::filesystem::path SpoolDir(const std::string& data_dir) {
  return std::filesystem::path(data_dir) / "unwritten-settlements";
}

}  // namespace

Result<std::string> SpoolSettlements(const std::string& data_dir, const std::string& owner,
                                     const std::vector<store::Settlement>& settlements) {
  std::error_code ec;
  std::filesystem::create_directories(SpoolDir(data_dir), ec);
  if (ec) return MakeError(ErrorCode::kInternal, SpoolDir(data_dir).string() + ": " + ec.message());
  const std::filesystem::path path = SpoolDir(data_dir) / (owner + ".jsonl");
  // Written under another name and renamed: a file the next start finds is whole.
  const std::filesystem::path partial = path.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::trunc);
    for (const store::Settlement& s : settlements) out << store::EncodeSettlement(s) << '\n';
    out.flush();
    if (!out) return MakeError(ErrorCode::kInternal, partial.string() + ": could not be written");
  }
  std::filesystem::rename(partial, path, ec);
  if (ec) return MakeError(ErrorCode::kInternal, path.string() + ": " + ec.message());
  return path.string();
}

Result<int> UnspoolSettlements(const std::string& data_dir, store::SettlementJournal& journal) {
  std::error_code ec;
  if (!std::filesystem::is_directory(SpoolDir(data_dir), ec)) return 0;
  int journaled = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SpoolDir(data_dir), ec)) {
    if (entry.path().extension() != ".jsonl") continue;  // a .partial is a write that did not finish
    std::ifstream in(entry.path());
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      Result<store::Settlement> settlement = store::DecodeSettlement(line);
      if (!settlement.ok()) {
        spdlog::error("{}: a line that is not a settlement is skipped: {}", entry.path().string(),
                      settlement.error().message);
        continue;
      }
      if (Status s = journal.Journal(*settlement); !s.ok()) {
        return MakeError(s.error().code, entry.path().string() + ": " + s.error().message);
      }
      ++n;
    }
    in.close();
    std::filesystem::remove(entry.path(), ec);
    spdlog::warn("journaled {} settlements a stopped server could not write ({})", n, entry.path().string());
    journaled += n;
  }
  return journaled;
}

}  // namespace turnpike::app
