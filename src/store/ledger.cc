#include "store/ledger.h"

#include <algorithm>

namespace turnpike::store {

LeaseResult DecideLease(const LeaseRequest& request, Micros own, std::optional<Micros> balance, Micros others,
                        const KeyRoom& key) {
  LeaseResult result;
  result.lease = own;
  // Written as subtractions of non-negative amounts from bounded ones: nothing overflows.
  Micros room = balance.value_or(0) - others;
  result.available = room;
  if (!key.usable || !balance.has_value()) {
    result.outcome = HoldOutcome::kKeyDisabled;
    return result;
  }
  if (key.room.has_value()) {
    if (request.need > *key.room) {
      result.outcome = HoldOutcome::kKeyLimitReached;
      return result;
    }
    room = std::min(room, *key.room);
  }
  if (request.need > room) {
    result.outcome = HoldOutcome::kInsufficientBalance;
    return result;
  }
  result.outcome = HoldOutcome::kHeld;
  result.lease = std::max(own, std::min(request.want, room));
  return result;
}

}  // namespace turnpike::store
