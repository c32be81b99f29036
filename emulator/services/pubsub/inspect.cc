// Read-only views of a subscription for the console: counts by delivery state and a peek
// at the messages it holds, without leasing, touching or reordering anything.
#include "services/pubsub/domain.h"
#include "services/pubsub/domain_state.h"
#include "services/pubsub/errors.h"
#include "services/pubsub/names.h"

namespace gcpsim::services::pubsub {
StatusOr<Domain::SubCounts> Domain::counts(const std::string& sub) const {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSubscription, sub));
  const SubState* s = find_sub(sub);
  if (!s) return errors::not_found(parsed.id);
  SubCounts c;
  s->entries.for_each([&c](const Entry& e) {
    switch (e.state) {
      case Entry::State::kQueued:
      case Entry::State::kWaiting: ++c.ready; break;
      case Entry::State::kLeased: ++c.leased; break;
      case Entry::State::kBackoff: ++c.backoff; break;
      case Entry::State::kAcked: ++c.acked; break;
    }
  });
  return c;
}

StatusOr<std::vector<Domain::Peeked>> Domain::peek(const std::string& sub, size_t limit) const {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSubscription, sub));
  const SubState* s = find_sub(sub);
  if (!s) return errors::not_found(parsed.id);
  auto state_name = [](Entry::State st) {
    switch (st) {
      case Entry::State::kQueued: return "queued";
      case Entry::State::kWaiting: return "waiting";
      case Entry::State::kLeased: return "leased";
      case Entry::State::kBackoff: return "backoff";
      case Entry::State::kAcked: break;
    }
    return "acked";
  };
  std::vector<Peeked> out;
  s->entries.for_each([&](const Entry& e) {
    if (out.size() >= limit || e.state == Entry::State::kAcked) return;
    out.push_back(Peeked{e.msg, state_name(e.state), e.attempts});
  });
  return out;
}

}  // namespace gcpsim::services::pubsub
