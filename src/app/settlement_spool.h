// Settlements (charges and request-log rows) a gateway still held unwritten when it stopped, the
// database being away (gateway::Gateway::WriteBacklog): kept in a file under the data directory
// and journaled when a server next starts on that directory, so that the charge of an answer
// already delivered is not lost with the process. One file per stopped process
// (`<data_dir>/unwritten-settlements/<owner>.jsonl`, a settlement a line in the journal's own
// format, store/settlement_journal.h); journaling one twice is harmless (applying is idempotent by
// request id), so two servers starting at once on one directory may both write a file's lines.
// The stopped process's leases went back to the database when it stopped: a charge written from a
// file is taken from the balance as it is then, which may go below zero by what it was owed.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "store/settlement_journal.h"

namespace turnpike::app {

// Writes `settlements` to `<data_dir>/unwritten-settlements/<owner>.jsonl` (the directory made when
// missing); the file's path, or the error.
Result<std::string> SpoolSettlements(const std::string& data_dir, const std::string& owner,
                                     const std::vector<store::Settlement>& settlements);

// Journals the settlements of every file of the directory and removes each file once all its
// lines are journaled (a line that cannot be read is logged and skipped). Returns how many
// settlements were journaled; an error when the database refused one (the file stays).
Result<int> UnspoolSettlements(const std::string& data_dir, store::SettlementJournal& journal);

}  // namespace turnpike::app
